"""Bundled frameworks with sample data (embedded in the extension, no files needed).

>>> import zhili
>>> zhili.datasets.names()
['demo-governance']
>>> s = zhili.datasets.load("demo-governance")
>>> s.framework.index_id, s.unit
('index', 'unit')
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, List, NamedTuple, Optional

from . import _native
from ._compat import pandas as _pandas
from ._framework import Framework
from ._pipeline import Pipeline

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Sample", "names", "load"]


class Sample(NamedTuple):
    """A bundled framework, its sample data, its pipeline and the data's unit column."""

    name: str
    description: str
    framework: Framework
    data: Optional["pd.DataFrame"]
    pipeline: Pipeline
    unit: str


def names() -> List[str]:
    """Names of the bundled frameworks."""
    return [b["name"] for b in _native.bundled()]


def load(name: str = "demo-governance") -> Sample:
    """A bundled framework with its sample data as a DataFrame (needs pandas for the data).

    Raises :class:`zhili.UnknownIdError` for an unknown name.
    """
    for b in _native.bundled():
        if b["name"] == name:
            data: Any = None
            if b["data"] is not None:
                pd = _pandas()

                data = pd.read_csv(io.StringIO(b["data"]))
            fw = Framework(_native.Framework.from_toml(b["framework"], f"<bundled {name}>"))
            pipe = Pipeline.from_toml_str(b["pipeline"]) if b["pipeline"] else Pipeline.default()
            return Sample(name, b["description"], fw, data, pipe, b["unit_column"])
    err = _native.UnknownIdError(f"unknown bundled framework `{name}` (available: {', '.join(names())})")
    err.what, err.id, err.context = "bundled framework", name, "zhili.datasets.load"  # type: ignore[attr-defined]
    raise err
