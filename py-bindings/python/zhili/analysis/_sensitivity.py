"""Sobol sensitivity analysis (``zhili_core::analysis::sensitivity``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence

from .. import _native
from .._compat import pandas as _pandas
from .. import _params as _p
from ._common import FactorsLike, Progress, _call, _runs_seed, _spec

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def sensitivity(
    framework: Any,
    data: Any,
    pipeline: Any = None,
    *,
    factors: FactorsLike,
    n: Optional[int] = None,
    seed: Optional[int] = None,
    output: str = "mean_abs_rank_shift",
    output_unit: Optional[str] = None,
    resamples: int = 1000,
    confidence: float = 0.95,
    progress: Optional[Progress] = None,
    unit: Optional[str] = None,
    names: Optional[str] = None,
    time: Optional[str] = None,
    unit_ids: Optional[Sequence[Any]] = None,
    columns: Optional[Sequence[str]] = None,
    groups: Optional[Mapping[str, Sequence[Any]]] = None,
    numeric: Optional[Mapping[str, Any]] = None,
) -> "pd.DataFrame":
    """Variance-based (Sobol) sensitivity analysis of an index output to the ``factors``
    (as in :func:`uncertainty`; each factor is one dimension). Saltelli design with base
    sample ``n`` (``n (k + 2)`` runs; default the document's ``runs``, else 1000),
    first-order (Saltelli 2010) and total (Jansen 1999) indices with bootstrap confidence
    intervals (``resamples``, ``confidence``).

    ``output`` is ``"mean_abs_rank_shift"`` (mean |rank − nominal rank| over units, COINr's
    choice), or ``"score"`` / ``"rank"`` of the unit ``output_unit``.

    Returns a DataFrame indexed by factor: ``first, first_lo, first_hi, total, total_lo,
    total_hi, first_se, total_se``; ``df.attrs`` holds ``runs``, ``mean``, ``variance``
    and ``outputs`` (each run's output, design order).

    >>> import numpy as np, zhili
    >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [
    ...     {"id": "index"}, {"id": "a", "parent": "index"}, {"id": "b", "parent": "index"}]})
    >>> pipe = zhili.Pipeline([zhili.steps.Normalise("minmax", lo=1, hi=100), zhili.steps.Aggregate("arithmetic")])
    >>> x = np.array([[1.0, 9.0], [5.0, 4.0], [2.0, 2.0], [8.0, 1.0]])
    >>> si = zhili.sensitivity(fw, x, pipe, unit_ids=list("pqrs"), n=64, seed=3,
    ...     factors=[{"type": "weights", "spread": 0.9},
    ...              {"type": "aggregate", "choices": [{"method": "arithmetic"},
    ...                                                {"method": "geometric"}]}],
    ...     output="score", output_unit="q")
    >>> si.index.tolist(), si.attrs["runs"]
    (['weights', 'aggregate'], 256)
    """
    spec = _spec(factors)
    n_, s = _runs_seed("n", n, seed, spec, 2)
    output = _p.text("output", output)
    output_unit = _p.optional_text("output_unit", output_unit)
    resamples = _p.count("resamples", resamples)
    if resamples == 1:
        raise _p.ParameterError("resamples", resamples, "must be 0 (no intervals) or at least 2")
    confidence = _p.real("confidence", confidence, lo=0.0, hi=1.0)
    raw, _ = _call(
        _native.sensitivity,
        framework,
        data,
        pipeline,
        locals(),
        json.dumps(spec["factors"]),
        n=n_,
        seed=s,
        output=output,
        unit=output_unit,
        resamples=resamples,
        confidence=confidence,
        progress=progress,
    )
    pd = _pandas()
    cols = ["first", "first_lo", "first_hi", "total", "total_lo", "total_hi", "first_se", "total_se"]
    df = pd.DataFrame({c: raw[c] for c in cols}, index=pd.Index(raw["factors"], name="factor"))
    df.attrs.update(runs=int(raw["runs"]), mean=float(raw["mean"]), variance=float(raw["variance"]), outputs=raw["outputs"])
    return df

