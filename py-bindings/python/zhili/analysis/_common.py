"""Helpers shared by the analyses: analysis documents, data arguments, progress callbacks,
the scale of normalised scores."""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .. import _native
from .._framework import Framework, _text
from .._score import _as_framework, _as_pipeline, _data_kwargs

Progress = Callable[[int, int], Any]
FactorsLike = Union[Sequence[Mapping[str, Any]], Mapping[str, Any], str, "os.PathLike[str]"]


def _spec(factors: FactorsLike) -> Dict[str, Any]:
    """The analysis document as a dict (``factors``, optional ``runs``, ``seed``, ``nodes``)."""
    if isinstance(factors, (str, os.PathLike)):
        text, name = _text(factors)
        return dict(json.loads(_native.analysis_spec(text, name)))
    if isinstance(factors, Mapping):
        if "factors" in factors:
            return dict(factors)
        return {"factors": [dict(factors)]}
    return {"factors": [dict(f) for f in factors]}


def _setup(
    framework: Any, data: Any, pipeline: Any, data_options: Dict[str, Any]
) -> Tuple[Framework, Any, Dict[str, Any], Optional[str]]:
    fw = _as_framework(framework)
    pipe = _as_pipeline(pipeline)
    if isinstance(data, (str, os.PathLike)):
        from .._read import read_csv

        data = read_csv(data)
    kw, unit_label, _ = _data_kwargs(fw, data, **data_options)
    kw.setdefault("unit_names", None)
    kw.setdefault("time", None)
    return fw, pipe, kw, unit_label


def _progress(progress: Optional[Progress]) -> Optional[Progress]:
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a callable progress(done, total), not {type(progress).__name__}")
    return progress



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
