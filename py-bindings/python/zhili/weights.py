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
import os
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Union

import numpy as np

from . import _native, _params
from ._framework import Framework

__all__ = [
    "WeightResult",
    "compute",
    "for_framework",
    "entropy",
    "critic",
    "coefficient_of_variation",
    "standard_deviation",
    "equal",
    "pca",
    "PcaWeights",
    "ahp",
    "AhpResult",
    "ahp_framework",
    "benefit_of_the_doubt",
    "BodResult",
    "combine",
]


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
    out = json.loads(_native.criteria_analysis(x, cols, dirs, "weights", _spec(method, options), ids))
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


# ---- shorthands, AHP, benefit of the doubt, combinations -----------------------------------


def _pd() -> Any:
    from ._compat import pandas

    return pandas()


def _is_frame(x: Any) -> bool:
    return hasattr(x, "columns") and hasattr(x, "index")


def _matrix_args(
    data: Any,
    names: Optional[Sequence[str]],
    directions: Union[Sequence[str], Mapping[str, str], None],
    unit_ids: Optional[Sequence[Any]],
) -> "tuple[np.ndarray, List[str], List[str], Optional[List[str]]]":
    if _is_frame(data):
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
    return x, cols, dirs, ids


def _series(weights: Mapping[str, float], method: str, notes: Sequence[str]) -> Any:
    s = _pd().Series(dict(weights), name=method, dtype=float)
    s.attrs["notes"] = list(notes)
    return s


def _shorthand(method: str, data: Any, directions: Any, options: Dict[str, Any]) -> Any:
    if isinstance(data, Framework):
        # zhili.weights.entropy(fw, data): the second positional argument is the data.
        return for_framework(data, directions, method, **options)
    r = compute(data, method, directions=directions, **options)
    return _series(r.weights, r.method, r.notes)


def entropy(data: Any, directions: Any = None, **options: Any) -> Any:
    """Entropy weights (熵权法) of the columns of ``data`` as a pandas Series (criterion →
    weight, ``.attrs["notes"]`` what the method noted); ``entropy(framework, data)`` gives the
    weights of every sibling group instead (a dict for ``zhili.score(weights=...)``).
    Same options as :func:`compute`.

    >>> import pandas as pd, zhili
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [10.0, 30.0, 20.0, 40.0]})
    >>> w = zhili.weights.entropy(df, {"b": "cost"})
    >>> list(w.index), round(float(w.sum()), 12)
    (['a', 'b'], 1.0)
    """
    return _shorthand("entropy", data, directions, options)


def critic(data: Any, directions: Any = None, **options: Any) -> Any:
    """CRITIC weights (contrast × conflict) as a pandas Series; ``critic(framework, data)``
    for a framework's sibling groups. See :func:`entropy`.

    >>> import pandas as pd, zhili
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [10.0, 30.0, 20.0, 40.0]})
    >>> round(float(zhili.weights.critic(df).sum()), 12)
    1.0
    """
    return _shorthand("critic", data, directions, options)


def coefficient_of_variation(data: Any, directions: Any = None, **options: Any) -> Any:
    """Coefficient-of-variation weights (变异系数法, raw data) as a pandas Series;
    ``coefficient_of_variation(framework, data)`` for a framework. See :func:`entropy`.

    >>> import pandas as pd, zhili
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [10.0, 30.0, 20.0, 40.0]})
    >>> bool(zhili.weights.coefficient_of_variation(df)["a"] > 0)
    True
    """
    return _shorthand("coefficient_of_variation", data, directions, options)


def standard_deviation(data: Any, directions: Any = None, **options: Any) -> Any:
    """Standard-deviation weights (of min-max data) as a pandas Series;
    ``standard_deviation(framework, data)`` for a framework. See :func:`entropy`.

    >>> import pandas as pd, zhili
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [10.0, 30.0, 20.0, 40.0]})
    >>> round(float(zhili.weights.standard_deviation(df).sum()), 12)
    1.0
    """
    return _shorthand("standard_deviation", data, directions, options)


def equal(data: Any, directions: Any = None, **options: Any) -> Any:
    """Equal weights over the columns of ``data`` as a pandas Series; ``equal(framework,
    data)`` for a framework's sibling groups.

    >>> import pandas as pd, zhili
    >>> zhili.weights.equal(pd.DataFrame({"a": [1.0], "b": [2.0]})).tolist()
    [0.5, 0.5]
    """
    return _shorthand("equal", data, directions, options)


class PcaWeights(NamedTuple):
    """PCA weights (Series) with what they came from: eigenvalues of the correlation matrix
    (descending), their explained variance shares, the number of retained factors, each
    retained factor's explained share, the loadings (criteria × retained factors, DataFrame)
    and the factor each criterion was assigned to (``None``: none)."""

    weights: Any
    eigenvalues: List[float]
    explained: List[float]
    retained: int
    factor_explained: List[float]
    loadings: Any
    factor_of: List[Optional[int]]
    notes: List[str]


def _array(v: Any) -> np.ndarray:
    """An ndarray from its serde form ``{"v": 1, "dim": [...], "data": [...]}`` (row-major)."""
    data = [np.nan if d is None else d for d in v["data"]]
    return np.asarray(data, dtype=np.float64).reshape(v["dim"])


def pca(
    data: Any,
    directions: Any = None,
    *,
    min_eigenvalue: float = 1.0,
    rotate: bool = True,
    names: Optional[Sequence[str]] = None,
    unit_ids: Optional[Sequence[Any]] = None,
) -> Any:
    """PCA / factor weights (OECD/JRC Handbook): a :class:`PcaWeights` with the weights as a
    Series, eigenvalues and explained variance. ``pca(framework, data)`` gives the weights of
    every sibling group (a dict) instead.

    >>> import numpy as np, pandas as pd, zhili
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=50)
    >>> df = pd.DataFrame({"a": f + rng.normal(size=50) * 0.3, "b": f + rng.normal(size=50) * 0.3,
    ...                    "c": rng.normal(size=50)})
    >>> r = zhili.weights.pca(df)
    >>> round(float(r.weights.sum()), 12), len(r.eigenvalues), round(sum(r.explained), 12)
    (1.0, 3, 1.0)
    """
    if isinstance(data, Framework):
        return for_framework(data, directions, "pca", min_eigenvalue=min_eigenvalue, rotate=rotate, unit_ids=unit_ids)
    x, cols, dirs, ids = _matrix_args(data, names, directions, unit_ids)
    opts = json.dumps({"min_eigenvalue": min_eigenvalue, "rotate": rotate})
    out = json.loads(_native.criteria_analysis(x, cols, dirs, "pca", opts, ids))
    w = out["weights"]
    loadings = _array(out["loadings"])
    pd = _pd()
    return PcaWeights(
        weights=_series(dict(zip(w["criteria"], w["weights"])), w["method"], w.get("notes", [])),
        eigenvalues=list(out["eigenvalues"]),
        explained=list(out["explained"]),
        retained=int(out["retained"]),
        factor_explained=list(out["factor_explained"]),
        loadings=pd.DataFrame(loadings, index=cols, columns=[f"F{k + 1}" for k in range(loadings.shape[1])]),
        factor_of=list(out["factor_of"]),
        notes=list(w.get("notes", [])),
    )


class AhpResult(NamedTuple):
    """AHP weights (Series) with consistency: principal eigenvalue ``lambda_max``,
    ``ci = (λmax − n)/(n − 1)``, the random index ``ri``, ``cr = ci / ri`` and whether
    ``cr`` ≤ the limit; ``lambda_from_weights`` / ``cr_from_weights`` use λ estimated from
    the chosen weights; ``matrix`` is the matrix judged (the experts' geometric mean for a
    group)."""

    weights: Any
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    lambda_from_weights: float
    cr_from_weights: float
    notes: List[str]
    matrix: np.ndarray


_RI = {"saaty1980", "saaty2005", "donegan_dodd1991", "alonso_lamata2006"}


def _ahp_options(
    prioritisation: str,
    random_index: Union[str, Sequence[float]],
    max_cr: float,
    allow_inconsistent: bool,
    reciprocal_tolerance: float,
) -> Dict[str, Any]:
    if isinstance(random_index, str):
        if random_index not in _RI:
            raise _native.PipelineError(
                f"invalid AHP options: unknown random_index `{random_index}` (expected one of {sorted(_RI)} or a list of values)"
            )
        ri: Dict[str, Any] = {"table": random_index}
    else:
        ri = {"table": "custom", "values": [float(v) for v in random_index]}
    return {
        "prioritisation": prioritisation,
        "random_index": ri,
        "max_cr": max_cr,
        "allow_inconsistent": allow_inconsistent,
        "reciprocal_tolerance": reciprocal_tolerance,
    }


def ahp(
    matrix: Any,
    labels: Optional[Sequence[str]] = None,
    *,
    prioritisation: str = "eigenvector",
    random_index: Union[str, Sequence[float]] = "saaty1980",
    max_cr: float = 0.1,
    allow_inconsistent: bool = False,
    reciprocal_tolerance: float = 0.05,
) -> AhpResult:
    """AHP (层次分析法) weights from a pairwise comparison matrix (``matrix[i][j]``: how much
    more important i is than j): a DataFrame (labels from its index), a nested list / 2-D
    array with ``labels`` (default ``c1, c2, …``), or a LIST of matrices (several experts,
    combined by element-wise geometric mean).

    ``prioritisation``: ``eigenvector`` (Saaty), ``geometric_mean``, ``normalised_columns``,
    ``row_sums``. ``random_index``: ``saaty1980``, ``saaty2005``, ``donegan_dodd1991``,
    ``alonso_lamata2006`` or a list of RI(1), RI(2), ….

    Raises :class:`MethodError` when CR > ``max_cr`` (unless ``allow_inconsistent``) and for a
    non-reciprocal, non-positive or non-unit-diagonal matrix (the message names the cell);
    :class:`ShapeError` for a non-square matrix.

    >>> import zhili
    >>> r = zhili.weights.ahp([[1, 3], [1 / 3, 1]], ["safety", "services"])
    >>> r.weights.round(4).to_dict(), r.cr, r.consistent
    ({'safety': 0.75, 'services': 0.25}, 0.0, True)
    """
    if _is_frame(matrix):
        if labels is None:
            labels = [str(c) for c in matrix.index]
        a = matrix.to_numpy(dtype=np.float64)
    else:
        a = np.asarray(matrix, dtype=np.float64)
        if a.ndim == 3:
            a = _native.ahp_group([np.ascontiguousarray(m) for m in a])
        elif a.ndim != 2:
            raise _native.ShapeError(f"shape mismatch in AHP: expected a square matrix or a list of them, found {a.ndim}-D")
    names = [str(s) for s in labels] if labels is not None else [f"c{j + 1}" for j in range(a.shape[0])]
    opts = _ahp_options(prioritisation, random_index, max_cr, allow_inconsistent, reciprocal_tolerance)
    out = json.loads(_native.ahp_matrix(np.ascontiguousarray(a), names, json.dumps(opts)))
    w = out["weights"]
    return AhpResult(
        weights=_series(dict(zip(w["criteria"], w["weights"])), "ahp", w.get("notes", [])),
        lambda_max=out["lambda_max"],
        ci=out["ci"],
        ri=out["ri"],
        cr=out["cr"],
        consistent=bool(out["consistent"]),
        lambda_from_weights=out["lambda_from_weights"],
        cr_from_weights=out["cr_from_weights"],
        notes=list(w.get("notes", [])),
        matrix=a,
    )


def ahp_framework(
    framework: Framework,
    judgements: Union[str, "os.PathLike[str]", Mapping[str, Any]],
    *,
    prioritisation: Optional[str] = None,
    random_index: Union[str, Sequence[float], None] = None,
    max_cr: Optional[float] = None,
    allow_inconsistent: Optional[bool] = None,
) -> Dict[str, float]:
    """AHP weights for the judged sibling groups of ``framework``, ready for
    ``zhili.score(..., weights=...)``. ``judgements`` is a TOML document — a path (``str``
    naming an existing file, or ``os.PathLike``) or its text, like every zhili loader — (``[options]`` and
    ``[nodes.<id>]`` tables with ``elements`` and ``matrix``, or ``experts`` = a list of
    matrices for a group judgement) or a dict: either that document's layout
    (``{"options": ..., "nodes": ...}``) or simply ``{node id: matrix}`` (rows and columns
    in the order of the node's children), ``{node id: [matrix, matrix, …]}`` for several
    experts, or ``{node id: {"elements": [...], "matrix": ...}}``. Keyword options override
    the document's.

    Raises :class:`MethodError` naming the node for an inconsistent or non-reciprocal matrix,
    :class:`UnknownIdError` for an unknown node, :class:`PipelineError` for elements that are
    not the node's children.

    >>> import zhili
    >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [
    ...     {"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i"}]})
    >>> w = zhili.weights.ahp_framework(fw, {"i": [[1, 3], [1 / 3, 1]]})
    >>> {k: round(v, 4) for k, v in w.items()}
    {'a': 0.75, 'b': 0.25}
    """
    overrides: Dict[str, Any] = {}
    if prioritisation is not None:
        overrides["prioritisation"] = prioritisation
    if random_index is not None:
        overrides["random_index"] = _ahp_options("eigenvector", random_index, 0.1, False, 0.05)["random_index"]
    if max_cr is not None:
        overrides["max_cr"] = max_cr
    if allow_inconsistent is not None:
        overrides["allow_inconsistent"] = allow_inconsistent
    opts = json.dumps(overrides) if overrides else None
    if isinstance(judgements, (str, os.PathLike)):
        from ._framework import _text

        text, _name = _text(judgements)
        out = json.loads(_native.ahp_framework(framework._inner, text, True, opts))
        return dict(out["weights"]["weights"])
    if "nodes" in judgements and isinstance(judgements["nodes"], Mapping):
        doc: Dict[str, Any] = {k: v for k, v in judgements.items()}
    else:
        children = {n["id"]: list(n["children"]) for n in framework.nodes}
        nodes: Dict[str, Any] = {}
        for node, j in judgements.items():
            if isinstance(j, Mapping):
                nodes[node] = dict(j)
                continue
            m = np.asarray(j, dtype=np.float64)
            entry: Dict[str, Any] = {"elements": children.get(node, [])}
            if m.ndim == 3:
                entry["experts"] = m.tolist()
            else:
                entry["matrix"] = m.tolist()
            nodes[node] = entry
        doc = {"nodes": nodes}
    out = json.loads(_native.ahp_framework(framework._inner, json.dumps(doc), False, opts))
    return dict(out["weights"]["weights"])


class BodResult(NamedTuple):
    """Benefit-of-the-doubt results: each unit's score (Series, 1 = on the frontier), its
    own optimal weights and its weight shares ``w_ij y_ij / score_i`` (units × criteria
    DataFrames)."""

    scores: Any
    weights: Any
    shares: Any


def benefit_of_the_doubt(
    data: Any,
    directions: Union[Sequence[str], Mapping[str, str], None] = None,
    share_bounds: Union[Sequence[Sequence[float]], Mapping[str, Sequence[float]], None] = None,
    *,
    input: str = "minmax",
    names: Optional[Sequence[str]] = None,
    unit_ids: Optional[Sequence[Any]] = None,
) -> BodResult:
    """Benefit of the doubt (OECD/JRC Handbook 6.3): for every unit, the weights most
    favourable to it (one linear programme per unit) on direction-aware min-max data
    (``input="as_is"``: the data as given, benefit criteria ≥ 0). ``share_bounds``: optional
    ``[lower, upper]`` bounds on each criterion's share of a unit's score (a list in column
    order or a dict by criterion; unlisted criteria ``[0, 1]``).

    >>> import pandas as pd, zhili
    >>> df = pd.DataFrame({"a": [1.0, 3.0, 1.5], "b": [3.0, 1.0, 1.5]}, index=["u1", "u2", "u3"])
    >>> zhili.weights.benefit_of_the_doubt(df).scores.round(6).tolist()
    [1.0, 1.0, 0.5]
    """
    x, cols, dirs, ids = _matrix_args(data, names, directions, unit_ids)
    opts: Dict[str, Any] = {"input": input}
    if share_bounds is not None:
        if isinstance(share_bounds, Mapping):
            opts["share_bounds"] = [list(share_bounds.get(c, (0.0, 1.0))) for c in cols]
        else:
            opts["share_bounds"] = [list(b) for b in share_bounds]
    out = json.loads(_native.criteria_analysis(x, cols, dirs, "bod", json.dumps(opts), ids))
    pd = _pd()
    index = ids if ids is not None else list(range(x.shape[0]))
    if _is_frame(data):
        index = data.index
    return BodResult(
        scores=pd.Series(np.asarray(out["scores"]["data"], dtype=np.float64), index=index, name="bod"),
        weights=pd.DataFrame(_array(out["weights"]), index=index, columns=cols),
        shares=pd.DataFrame(_array(out["shares"]), index=index, columns=cols),
    )


def _as_weight_doc(w: Any, k: int) -> Dict[str, Any]:
    if isinstance(w, WeightResult):
        items = list(w.weights.items())
        method = w.method
    elif isinstance(w, AhpResult):
        items = [(str(i), float(v)) for i, v in w.weights.items()]
        method = "ahp"
    elif hasattr(w, "items"):
        items = [(str(i), float(v)) for i, v in w.items()]
        method = str(getattr(w, "name", None) or f"w{k + 1}")
    else:
        vals = [float(v) for v in np.asarray(w, dtype=np.float64)]
        items = [(f"c{j + 1}", v) for j, v in enumerate(vals)]
        method = f"w{k + 1}"
    return {"method": method, "criteria": [i for i, _ in items], "weights": [v for _, v in items]}


def combine(
    weights: Sequence[Any],
    rule: Union[str, "tuple[str, float]", Mapping[str, Any]] = "multiplicative",
) -> Any:
    """Combine weight vectors over the same criteria (组合赋权): ``"multiplicative"``
    (w ∝ Π w⁽ᵏ⁾), ``("linear", alpha)`` (α·w⁽¹⁾ + (1 − α)·w⁽²⁾, two vectors) or
    ``"game_theory"`` (博弈论组合赋权). Each vector is a Series, a dict, a
    :class:`WeightResult`, an :class:`AhpResult` or a plain sequence; the result has the type
    of the first (Series → Series, dict → dict, otherwise a numpy array).

    >>> import zhili
    >>> w = zhili.weights.combine([{"a": 0.6, "b": 0.4}, {"a": 0.2, "b": 0.8}], ("linear", 0.5))
    >>> {k: round(v, 12) for k, v in w.items()}
    {'a': 0.4, 'b': 0.6}
    """
    if isinstance(rule, str):
        r: Dict[str, Any] = {"rule": rule}
    elif isinstance(rule, Mapping):
        r = dict(rule)
    else:
        name, alpha = rule
        r = {"rule": name, "alpha": _params.real("rule alpha", alpha, lo=0.0, hi=1.0, closed=True)}
    docs = [_as_weight_doc(w, k) for k, w in enumerate(weights)]
    out = json.loads(_native.combine_weights(json.dumps(docs), json.dumps(r)))
    result = dict(zip(out["criteria"], out["weights"]))
    first = weights[0] if len(weights) else None
    if first is not None and _is_series(first):
        return _series(result, out["method"], out.get("notes", []))
    if isinstance(first, Mapping) or isinstance(first, (WeightResult, AhpResult)):
        return result
    return np.asarray(out["weights"], dtype=np.float64)


def _is_series(x: Any) -> bool:
    return hasattr(x, "index") and hasattr(x, "to_numpy") and not hasattr(x, "columns")
