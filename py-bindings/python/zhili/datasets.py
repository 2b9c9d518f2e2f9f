"""Bundled frameworks with sample data (embedded in the extension, no files needed).

>>> import zhili
>>> zhili.datasets.default() in zhili.datasets.names()
True
>>> s = zhili.datasets.load()
>>> res = s.score()
>>> res.stages[0], res.stages[-1]
('raw', 'aggregated')
>>> sorted({t for _, t in res.scores.index})  # the latest year, as `zhili score`
[2023]
>>> sorted(s.score(year="all"))               # every year, ranked within itself
[2021, 2022, 2023]
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, Dict, List, NamedTuple, Optional

from . import _native
from ._compat import pandas as _pandas
from ._framework import Framework
from ._pipeline import Pipeline

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from ._results import Results

__all__ = ["Sample", "names", "default", "load"]


class Sample(NamedTuple):
    """A bundled framework, one of its sample data sets and its default pipeline.

    ``unit``, ``names`` and ``time`` are the data's unit id, display name and year columns
    (``time`` is ``None`` unless the data is a panel); :meth:`score` passes them on.
    """

    name: str
    description: str
    framework: Framework
    data: "pd.DataFrame"
    pipeline: Pipeline
    unit: str
    names: Optional[str]
    time: Optional[str]
    dataset: str
    grading: Optional[str]

    def score(self, **kwargs: Any) -> Any:
        """``zhili.score`` of this sample (keyword arguments override, e.g. ``pipeline=``).

        Panel data scores the latest year, as ``zhili score`` does: ``year=2022`` picks
        another, ``year="all"`` scores each year on its own (``{year: Results}``, ranks
        within each year).
        """
        from ._score import score

        args: Dict[str, Any] = {"pipeline": self.pipeline, "unit": self.unit, "names": self.names, "time": self.time}
        args.update(kwargs)
        pipeline = args.pop("pipeline")
        return score(self.framework, self.data, pipeline, **args)


    def _summary(self) -> List[str]:
        d = self.data
        shape = f"{len(d)} rows × {len(d.columns)} columns"
        if self.time:
            years = sorted({int(t) for t in d[self.time].dropna()})
            shape += f", years {years[0]}–{years[-1]} (score() takes the latest)" if years else ""
        return [
            f"framework {self.name!r}: {len(self.framework.indicator_ids)} indicators, {len(self.framework.node_ids)} nodes",
            f"data {self.dataset!r}: {shape}; unit column {self.unit!r}",
            f"pipeline: {len(self.pipeline.steps)} steps; grading: {'bundled' if self.grading else 'none'}",
        ]

    def __repr__(self) -> str:
        return f"Sample({self.name!r})\n  " + "\n  ".join(self._summary()) + f"\n  {self.description}"

    def _repr_html_(self) -> str:
        import html

        items = "".join(f"<li>{html.escape(line)}</li>" for line in self._summary())
        return (
            f"<div><b>Sample</b> <code>{html.escape(self.name)}</code>: {html.escape(self.description)}"
            f"<ul>{items}</ul></div>"
        )


def names() -> List[str]:
    """Names of the bundled frameworks."""
    return [str(b["name"]) for b in _native.bundled()]


def default() -> str:
    """The name of the default bundled framework."""
    return next(str(b["name"]) for b in _native.bundled() if b["default"])


def load(name: Optional[str] = None, dataset: Optional[str] = None) -> Sample:
    """A bundled framework (default: :func:`default`) with a sample data set (default: its
    first) as a DataFrame. Needs pandas.

    Raises :class:`zhili.UnknownIdError` for an unknown framework or data set name.
    """
    name = name or default()
    for b in _native.bundled():
        if b["name"] != name:
            continue
        sets = b["datasets"]
        pick = next((d for d in sets if dataset is None or d["name"] == dataset), None)
        if pick is None:
            avail = ", ".join(d["name"] for d in sets) or "none"
            err = _native.UnknownIdError(f"unknown data set `{dataset}` of `{name}` (available: {avail})")
            err.what, err.id, err.context = "data set", dataset, name  # type: ignore[attr-defined]
            raise err
        pd = _pandas()
        data = pd.read_csv(io.StringIO(pick["csv"]))
        fw = Framework(_native.Framework.from_toml(b["framework"], f"<bundled {name}>"))
        pipe = Pipeline.from_toml_str(b["pipeline"]) if b["pipeline"] else Pipeline.default()
        return Sample(
            name,
            str(b["description"]),
            fw,
            data,
            pipe,
            pick["unit_column"],
            pick["name_column"],
            pick["time_column"],
            pick["name"],
            b["grading"],
        )
    err = _native.UnknownIdError(f"unknown bundled framework `{name}` (available: {', '.join(names())})")
    err.what, err.id, err.context = "bundled framework", name, "zhili.datasets.load"  # type: ignore[attr-defined]
    raise err
