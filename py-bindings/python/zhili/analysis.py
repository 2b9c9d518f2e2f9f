"""Analyses of scores: coupling coordination between dimensions and obstacle degrees.

>>> import pandas as pd, zhili
>>> u = pd.DataFrame({"economy": [0.8, 0.3], "ecology": [0.2, 0.3]}, index=["A", "B"])
>>> zhili.analysis.coupling_coordination(u).round(4)
     C    T       D  band
A  0.8  0.5  0.6325  初级协调
B  1.0  0.3  0.5477  勉强协调
"""

from __future__ import annotations

import json
from typing import Any, List, Optional, Sequence

import numpy as np

from . import _native
from ._compat import pandas as _pandas
from ._framework import Framework

__all__ = ["coupling_coordination", "obstacle_degree"]


def _is_results(x: Any) -> bool:
    return hasattr(x, "_run") and hasattr(x, "stage") and hasattr(x, "framework")


def _scale(x: np.ndarray, scale: Optional[float]) -> float:
    if scale is not None:
        return float(scale)
    finite = x[np.isfinite(x)]
    return 100.0 if finite.size and float(finite.max()) > 1.0 else 1.0


def _results_scale(results: Any) -> Optional[float]:
    """The top of a run's normalised scale when the fitted normaliser says so (min-max with
    ``lo = 0``: ``hi``; goalposts: ``scale``), else ``None``."""
    try:
        n = (results.normaliser or {}).get("normaliser") or {}
    except Exception:  # pragma: no cover - a run without a normaliser
        return None
    if n.get("method") == "minmax" and float(n.get("lo", 0.0)) == 0.0:
        return float(n.get("hi", 100.0))
    if n.get("method") == "goalposts" and "scale" in n:
        return float(n["scale"])
    return None


def coupling_coordination(
    scores: Any,
    dims: Optional[Sequence[str]] = None,
    *,
    variant: str = "standard",
    alpha: Optional[Sequence[float]] = None,
    scale: Optional[float] = None,
) -> Any:
    """Coupling coordination (耦合协调度) between subsystems, per unit: a DataFrame with
    ``C`` (coupling degree), ``T`` (coordination index Σ αᵢUᵢ), ``D = √(C·T)`` and ``band``
    (the customary ten bands of D, 极度失调 … 优质协调).

    ``scores``: :class:`Results` (``dims`` = node ids, e.g. the dimensions), a DataFrame
    (``dims`` = columns, default all) or a units × subsystems array. Scores are divided by
    ``scale`` so that U ∈ [0, 1]; by default the normalised scale of the run (min-max ``hi``,
    goalposts ``scale``), otherwise 100 if any score exceeds 1, else 1.
    ``variant``: ``standard`` (C = n·(ΠUᵢ)^(1/n)/ΣUᵢ) or ``modified`` (Wang Shujia et al.
    2021). ``alpha``: contribution weights of the subsystems to T (default equal).

    Raises :class:`MethodError` naming the unit for a missing or negative score.
    """
    pd = _pandas()
    if _is_results(scores):
        frame = scores.scores
        if scale is None:
            scale = _results_scale(scores)
        cols = list(dims) if dims is not None else [c for c in frame.columns if c != scores.index_id]
    elif hasattr(scores, "columns") and hasattr(scores, "index"):
        frame = scores
        cols = list(dims) if dims is not None else list(frame.columns)
    else:
        arr = np.asarray(scores, dtype=np.float64)
        if arr.ndim != 2:
            raise _native.ShapeError(f"shape mismatch in coupling coordination: expected a 2-D array, found {arr.ndim}-D")
        frame = pd.DataFrame(arr, columns=list(dims) if dims is not None else [f"u{j + 1}" for j in range(arr.shape[1])])
        cols = list(frame.columns)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        err = _native.MissingColumnError(f"missing column `{missing[0]}` (needed by coupling_coordination)")
        err.column = missing[0]  # type: ignore[attr-defined]
        raise err
    x = frame[cols].to_numpy(dtype=np.float64)
    x = np.ascontiguousarray(x / _scale(x, scale))
    opts: dict = {"variant": variant}
    if alpha is not None:
        opts["alpha"] = [float(a) for a in alpha]
    ids = [str(u) for u in frame.index]
    out = json.loads(_native.coupling(x, json.dumps(opts), ids))

    def col(v: Any) -> np.ndarray:
        return np.asarray([np.nan if d is None else d for d in v["data"]], dtype=np.float64)

    return pd.DataFrame({"C": col(out["c"]), "T": col(out["t"]), "D": col(out["d"]), "band": out["band"]}, index=frame.index)


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
