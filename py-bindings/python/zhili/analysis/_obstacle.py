"""Obstacle degrees (障碍度, ``zhili_core::analysis::obstacle``)."""

from __future__ import annotations

from typing import Any, List, Optional

import numpy as np

from .. import _native
from .._compat import pandas as _pandas
from .._framework import Framework
from ._common import _is_results, _results_scale, _scale


def obstacle_degree(
    data: Any,
    framework: Optional[Framework] = None,
    *,
    max: Optional[float] = None,
    nodes: str = "all",
) -> Any:
    """Obstacle degrees (障碍度) per unit: each indicator's share of the unit's weighted
    shortfall, ``O_ij = w_j (1 − x_ij/max) / Σ_j w_j (1 − x_ij/max)`` with ``w`` the
    effective weights; an aggregate's degree is the sum of its indicators'. The degrees of a
    unit's indicators sum to 1 (0 everywhere for a unit at the maximum on every indicator).

    ``data``: :class:`Results` (its ``normalised`` stage and framework are used) or a
    DataFrame of normalised indicators (columns = the framework's indicator ids) with
    ``framework``. ``max``: the top of the normalised scale (default: the run's normaliser
    scale when known, otherwise 100 if any value exceeds 1, else 1). ``nodes``: ``all`` (every node), ``indicators`` or ``aggregates``. Returns a
    DataFrame units × nodes.

    >>> import pandas as pd, zhili
    >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [
    ...     {"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i"}]})
    >>> x = pd.DataFrame({"a": [0.5, 1.0], "b": [1.0, 0.0]}, index=["A", "B"])
    >>> zhili.analysis.obstacle_degree(x, fw, nodes="indicators")
         a    b
    A  1.0  0.0
    B  0.0  1.0
    """
    pd = _pandas()
    if _is_results(data):
        fw = framework if framework is not None else data.framework
        frame = data.stage("normalised")
        if max is None:
            max = _results_scale(data)
    else:
        if framework is None:
            raise TypeError("obstacle_degree: pass the framework with a DataFrame (or pass Results)")
        fw = framework
        frame = data
    ind: List[str] = fw.indicator_ids
    if hasattr(frame, "columns"):
        missing = [c for c in ind if c not in frame.columns]
        if missing:
            err = _native.MissingColumnError(f"missing column `{missing[0]}` (needed by obstacle_degree)")
            err.column = missing[0]  # type: ignore[attr-defined]
            raise err
        x = frame[ind].to_numpy(dtype=np.float64)
        index = frame.index
    else:
        x = np.asarray(frame, dtype=np.float64)
        index = None
    ids = None if index is None else [str(u) for u in index]
    node_ids, deg = _native.obstacles(fw._inner, np.ascontiguousarray(x), _scale(x, max), ids)
    out = pd.DataFrame(deg, index=index, columns=node_ids)
    if nodes == "indicators":
        return out[ind]
    if nodes == "aggregates":
        return out[[c for c in node_ids if c not in set(ind)]]
    if nodes != "all":
        raise ValueError(f"obstacle_degree: nodes must be 'all', 'indicators' or 'aggregates', not {nodes!r}")
    return out
