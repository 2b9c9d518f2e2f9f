"""Grading: scores into labelled bands (e.g. red / yellow / green)."""

from __future__ import annotations

import html
import json
import os
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Union

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


class Grading:
    """Named score bands from a grading document (as ``indicators/frameworks/*.grading.toml``
    and a bundled sample's ``grading``): a path (``str`` naming an existing file, or
    ``os.PathLike``) or the TOML text. ``res.grade(g)`` grades with it.

    >>> import zhili
    >>> g = zhili.Grading(zhili.datasets.load().grading)
    >>> g.labels("en"), g.thresholds
    (['poor', 'fair', 'good', 'excellent'], [60.0, 70.0, 85.0])
    >>> zhili.grade([50.0, 90.0], g.labels("zh"), thresholds=g.thresholds).labels
    ['较差', '优秀']
    """

    __slots__ = ("_doc",)

    def __init__(self, source: Union[str, "os.PathLike[str]"]) -> None:
        from ._framework import _text

        text, name = _text(source)
        self._doc: Dict[str, Any] = json.loads(_native.grading_spec(text, name))

    @property
    def name(self) -> Dict[str, Optional[str]]:
        """``{"zh": ..., "en": ...}``."""
        return dict(self._doc.get("name") or {})

    @property
    def thresholds(self) -> List[float]:
        """Lower bounds of the bands above the lowest, increasing (as :func:`grade` takes them)."""
        return [float(b["min"]) for b in reversed(self._doc["bands"]) if b.get("min") is not None]

    def labels(self, lang: str = "zh") -> List[str]:
        """Band names from the LOWEST band to the HIGHEST, in ``lang`` (``zh`` / ``en``;
        the other language, then the band id, where a name is missing)."""
        other = "en" if lang == "zh" else "zh"
        out = []
        for b in reversed(self._doc["bands"]):
            n = b.get("name") or {}
            out.append(n.get(lang) or n.get(other) or b["id"])
        return out

    def __repr__(self) -> str:
        return f"Grading({self.labels('en')}, thresholds={self.thresholds})"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(zh)}</td><td>{html.escape(en)}</td><td>{lo}</td></tr>"
            for zh, en, lo in zip(self.labels("zh"), self.labels("en"), ["–", *self.thresholds])
        )
        return f"<table><tr><th>中文</th><th>English</th><th>min</th></tr>{rows}</table>"
