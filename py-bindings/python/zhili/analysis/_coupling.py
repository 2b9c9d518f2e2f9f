"""Coupling coordination between subsystems (耦合协调度, ``zhili_core::analysis::coupling``)."""

from __future__ import annotations

import json
from typing import Any, Optional, Sequence

import numpy as np

from .. import _native
from .._compat import pandas as _pandas
from ._common import _is_results, _results_scale, _scale


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
