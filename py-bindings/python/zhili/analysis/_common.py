"""Helpers shared by the analyses: analysis documents, data arguments, progress callbacks,
the scale of normalised scores."""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .. import _native
from .. import _params as _p
from .._framework import Framework, _text
from .._score import _as_framework, _as_pipeline, _data_kwargs

Progress = Callable[[int, int], Any]
FactorsLike = Union[Sequence[Mapping[str, Any]], Mapping[str, Any], str, "os.PathLike[str]"]


def _spec(factors: FactorsLike) -> Dict[str, Any]:
    """The analysis document as a dict (``factors``, optional ``runs``, ``seed``, ``nodes``)."""
    if isinstance(factors, (str, os.PathLike)):
        text, name = _text(factors, "factors")
        spec = dict(json.loads(_native.analysis_spec(text, name)))
    elif isinstance(factors, Mapping):
        spec = dict(factors) if "factors" in factors else {"factors": [dict(factors)]}
    elif isinstance(factors, Sequence) and all(isinstance(f, Mapping) for f in factors):
        spec = {"factors": [dict(f) for f in factors if isinstance(f, Mapping)]}
    else:
        raise _p.ParameterError("factors", factors, "must be a list of factor dicts, a dict or an analysis document")
    if not spec.get("factors"):
        raise _p.ParameterError("factors", factors, "nothing varies: give at least one factor (as the CLI requires)")
    return spec


def _runs_seed(name: str, runs: Any, seed: Any, spec: Dict[str, Any], minimum: int) -> Tuple[int, int]:
    """``runs`` (or ``n``) and ``seed``: the arguments, else the document's, else 1000 and 0."""
    r = _p.count(name, runs if runs is not None else spec.get("runs") or 1000, minimum=minimum)
    return r, _p.seed("seed", seed if seed is not None else spec.get("seed") or 0)


def _node_list(nodes: Any) -> List[str]:
    """Node ids: a list of strings (a single string is refused, not split into letters)."""
    if isinstance(nodes, str) or not isinstance(nodes, Sequence) or not all(isinstance(n, str) for n in nodes):
        raise _p.ParameterError("nodes", nodes, "must be a list of node ids (strings)")
    return list(nodes)


# The data arguments every analysis takes, as :func:`zhili.score` does.
DATA_ARGS = ("unit", "names", "time", "unit_ids", "columns", "groups", "numeric")


def _data_args(scope: Mapping[str, Any]) -> Dict[str, Any]:
    """The data arguments out of a caller's ``locals()`` (its keyword parameters of the same names)."""
    return {k: scope[k] for k in DATA_ARGS}


def _call(native: Callable[..., Any], framework: Any, data: Any, pipeline: Any, scope: Mapping[str, Any], *args: Any, **options: Any) -> Tuple[Any, Optional[str]]:
    """Run the native analysis ``native(framework, pipeline, data, *args, **options)`` on the
    framework, pipeline and data the caller was given (its data arguments read from ``scope``,
    the caller's ``locals()``); ``progress`` checked. Returns the result and the unit column's
    label."""
    fw, pipe, kw, unit_label = _setup(framework, data, pipeline, _data_args(scope))
    if "progress" in options:
        options["progress"] = _progress(options["progress"])
    return native(fw._inner, pipe._inner, kw, *args, **options), unit_label


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
