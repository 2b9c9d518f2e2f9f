"""zhili: composite indices (COINr-compatible) computed by a Rust engine.

A configurable tree of weighted indicators (:class:`Framework`) is filled with data,
prepared, normalised and aggregated by a :class:`Pipeline`; :func:`score` returns
:class:`Results` with scores and ranks at every node, every intermediate stage and a
log of what each step did.

>>> import zhili
>>> s = zhili.datasets.load()
>>> res = zhili.score(s.framework, s.data, s.pipeline, unit=s.unit, time=s.time)  # latest year
>>> bool(len(res.ranking()) == (s.data[s.time] == s.data[s.time].max()).sum())
True

Errors derive from :class:`ZhiliError`; their messages name the node, unit or column.
"""

from __future__ import annotations

from . import analysis, datasets, frameworks, steps, weights
from ._data import ZhiliWarning
from ._derive import derive_grid_events, grade_households
from .analysis import AuditReport, Design, UncertaintyResult, audit, replay, sensitivity, uncertainty
from ._fit import FittedPipeline, PartialFit, fit
from ._framework import Framework
from ._grade import Graded, Grading, grade
from ._methods import Method, methods
from ._native import (
    DataError,
    EmptyDataError,
    FrameworkError,
    InternalError,
    MemoryLimitError,
    MethodError,
    MissingColumnError,
    ParseError,
    PipelineError,
    Problem,
    ShapeError,
    UnknownIdError,
    ZhiliError,
    __version__,
    max_memory,
    set_max_memory,
)
from ._params import MissingFileError, ParameterError
from ._pipeline import Pipeline
from ._results import Results
from ._read import read_csv, read_excel, read_parquet
from ._score import score

__all__ = [
    "Framework",
    "Pipeline",
    "Results",
    "score",
    "fit",
    "FittedPipeline",
    "PartialFit",
    "read_csv",
    "read_excel",
    "read_parquet",
    "steps",
    "weights",
    "methods",
    "Method",
    "analysis",
    "grade",
    "derive_grid_events",
    "grade_households",
    "Graded",
    "Grading",
    "audit",
    "AuditReport",
    "uncertainty",
    "replay",
    "sensitivity",
    "Design",
    "UncertaintyResult",
    "datasets",
    "frameworks",
    "Problem",
    "ZhiliError",
    "ZhiliWarning",
    "FrameworkError",
    "ParseError",
    "DataError",
    "MissingColumnError",
    "ShapeError",
    "EmptyDataError",
    "UnknownIdError",
    "MethodError",
    "PipelineError",
    "InternalError",
    "MemoryLimitError",
    "ParameterError",
    "MissingFileError",
    "set_max_memory",
    "max_memory",
    "__version__",
]
