"""Grading: scores into labelled bands (e.g. red / yellow / green)."""

from __future__ import annotations

import json
from typing import Any, List, NamedTuple, Optional, Sequence

import numpy as np

from . import _native


class Graded(NamedTuple):
    """Thresholds used, each unit's band (0 = lowest) and label (``None`` if missing), band counts."""

    thresholds: List[float]
    bands: List[Optional[int]]
    labels: List[Optional[str]]
    counts: List[int]


def grade(
    scores: Any,
    labels: Sequence[str],
    *,
    thresholds: Optional[Sequence[float]] = None,
    quantiles: Optional[Sequence[float]] = None,
    equal_intervals: bool = False,
) -> Graded:
    """Put scores into bands, labels from the LOWEST band to the HIGHEST.

    Give ``thresholds`` (k increasing values → k + 1 bands; a band includes its lower
    threshold), ``quantiles`` (probabilities: thresholds at those quantiles of the scores,
    numpy's default interpolation) or ``equal_intervals=True`` (as many equal-width bands
    as labels between the minimum and maximum score). Missing scores get no band.

    >>> import zhili
    >>> g = zhili.grade([55.0, 60.0, 80.0, 95.0], ["红", "黄", "绿"], thresholds=[60, 90])
    >>> g.labels, g.counts
    (['红', '黄', '黄', '绿'], [1, 2, 1])
    """
    if sum(x is not None and x is not False for x in (thresholds, quantiles, equal_intervals or None)) != 1:
        raise TypeError("give exactly one of thresholds=, quantiles= or equal_intervals=True")
    if thresholds is not None:
        breaks: dict = {"type": "fixed", "thresholds": [float(t) for t in thresholds]}
    elif quantiles is not None:
        breaks = {"type": "quantiles", "probs": [float(p) for p in quantiles]}
    else:
        breaks = {"type": "equal_intervals", "bands": len(labels)}
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 1:
        raise _native.ShapeError(f"shape mismatch in grade: expected 1-D scores, found {s.ndim}-D")
    out = json.loads(_native.grade(s, json.dumps({**breaks, "labels": [str(x) for x in labels]})))
    return Graded(out["thresholds"], out["bands"], out["labels"], out["counts"])
