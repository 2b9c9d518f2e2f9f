"""Data-driven weights: entropy, CRITIC, coefficient of variation, standard deviation, PCA, equal.

Methods and their options are passed to the engine as written in documents
(``{"method": "entropy", ...}``), so every option the engine knows is available.

>>> import numpy as np, zhili
>>> x = np.array([[1.0, 10.0], [2.0, 30.0], [3.0, 20.0], [4.0, 40.0]])
>>> r = zhili.weights.compute(x, "entropy", names=["a", "b"])
>>> r.method, sorted(r.weights), round(sum(r.weights.values()), 12)
('entropy', ['a', 'b'], 1.0)
>>> zhili.weights.compute(x, "critic", names=["a", "b"], directions=["benefit", "cost"]).weights["a"] > 0
True
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Union

import numpy as np

from . import _native
from ._framework import Framework

__all__ = ["WeightResult", "compute", "for_framework"]


class WeightResult(NamedTuple):
    """Weights by criterion (non-negative, summing to 1) and what the method noted on the way."""

    method: str
    weights: Dict[str, float]
    notes: List[str]


def _spec(method: Union[str, Mapping[str, Any]], options: Mapping[str, Any]) -> str:
    doc = dict(method) if isinstance(method, Mapping) else {"method": method}
    doc.update({k: v for k, v in options.items() if v is not None})
    return json.dumps(doc)


def compute(
    data: Any,
    method: Union[str, Mapping[str, Any]] = "entropy",
    *,
    names: Optional[Sequence[str]] = None,
    directions: Union[Sequence[str], Mapping[str, str], None] = None,
    unit_ids: Optional[Sequence[Any]] = None,
    **options: Any,
) -> WeightResult:
    """Weights of the columns (criteria) of ``data``: a DataFrame (criteria = columns, units =
    index) or a 2-D array with ``names``. ``directions`` (``benefit`` / ``cost``, a list or a
    dict by name; default all benefit). Extra keyword arguments are the method's options.

    Raises :class:`MethodError` naming the unit and criterion of a missing or unusable value.
    """
    if hasattr(data, "columns") and hasattr(data, "index"):
        cols = [str(c) for c in data.columns]
        x = data.to_numpy(dtype=np.float64)
        if unit_ids is None:
            unit_ids = [str(u) for u in data.index]
    else:
        x = np.asarray(data, dtype=np.float64)
        if x.ndim != 2:
            raise _native.ShapeError(f"shape mismatch in weights: expected a 2-D array, found {x.ndim}-D")
        cols = [str(c) for c in (names if names is not None else [f"c{j + 1}" for j in range(x.shape[1])])]
    if directions is None:
        dirs = ["benefit"] * len(cols)
    elif isinstance(directions, Mapping):
        dirs = [str(directions.get(c, "benefit")) for c in cols]
    else:
        dirs = [str(d) for d in directions]
    ids = None if unit_ids is None else [str(u) for u in unit_ids]
    out = json.loads(_native.criteria_weights(x, cols, dirs, _spec(method, options), ids))
    return WeightResult(out["method"], dict(zip(out["criteria"], out["weights"])), list(out.get("notes", [])))


def for_framework(
    framework: Framework,
    data: Any,
    method: Union[str, Mapping[str, Any]] = "entropy",
    *,
    aggregate: Optional[Mapping[str, Any]] = None,
    unit_ids: Optional[Sequence[Any]] = None,
    **options: Any,
) -> Dict[str, float]:
    """Weights for every sibling group of ``framework``, bottom-up, from ``data`` (a DataFrame
    with the indicator columns, e.g. ``results.stage("normalised")``, or a units × indicators
    array in the framework's order). Aggregate children are scored with ``aggregate``
    (an aggregate step as a dict; default arithmetic). The result plugs into
    ``zhili.score(..., weights=...)`` and :meth:`Framework.with_weights`.

    >>> import numpy as np, zhili
    >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [
    ...     {"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i"}]})
    >>> w = zhili.weights.for_framework(fw, np.array([[1.0, 5.0], [2.0, 5.5], [3.0, 9.0]]), "equal")
    >>> w
    {'a': 0.5, 'b': 0.5}
    """
    ind = framework.indicator_ids
    if hasattr(data, "columns") and hasattr(data, "index"):
        missing = [c for c in ind if c not in data.columns]
        if missing:
            err = _native.MissingColumnError(f"missing column `{missing[0]}` (needed by weights.for_framework)")
            err.column = missing[0]  # type: ignore[attr-defined]
            raise err
        x = data[ind].to_numpy(dtype=np.float64)
        if unit_ids is None:
            unit_ids = [str(u) for u in data.index]
    else:
        x = np.asarray(data, dtype=np.float64)
    agg = None if aggregate is None else json.dumps({"method": "arithmetic", **dict(aggregate)})
    ids = None if unit_ids is None else [str(u) for u in unit_ids]
    return dict(_native.group_weights(framework._inner, x, _spec(method, options), agg, ids))
