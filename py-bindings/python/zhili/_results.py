"""Results of a run: scores and ranks at every node, every stage, the step log."""

from __future__ import annotations

import html
import json
import os
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

from . import _native, _params
from ._compat import pandas as _pandas
from ._framework import Framework

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .plot import PlotAccessor


_LOG_COLUMNS = ("step", "action", "level", "unit", "indicator", "value", "detail")
_EMPTY_LOG = "no step changed or questioned a value (nothing missing, treated or screened)"


def _whole(ranks: Any) -> Any:
    """Ranks as nullable ``Int64`` when every present rank is whole (else unchanged)."""
    values = np.asarray(ranks.to_numpy(dtype=np.float64), dtype=np.float64)
    present = values[~np.isnan(values)]
    if present.size and not np.array_equal(present, np.round(present)):
        return ranks
    return ranks.astype("Int64")


class Results:
    """What :func:`zhili.score` returns.

    DataFrames (index = units, named like the unit column) need pandas; the ``*_array``
    methods and id lists work with numpy alone.

    >>> import zhili
    >>> s = zhili.datasets.load()
    >>> res = s.score()
    >>> res.scores.shape == (int((s.data[s.time] == s.data[s.time].max()).sum()), len(s.framework.node_ids))
    True
    >>> res.stages[0], res.stages[-1]
    ('raw', 'aggregated')
    >>> int(res.ranks[s.framework.index_id].min())
    1
    """

    __slots__ = ("_run", "_unit_name", "_unit_names", "_output")

    def __init__(
        self,
        run: "_native.Run",
        *,
        unit_name: Optional[str] = None,
        unit_names: Optional[Dict[str, str]] = None,
        output: str = "pandas",
    ) -> None:
        self._run = run
        self._unit_name = unit_name
        self._unit_names = unit_names
        self._output = output

    @property
    def output(self) -> str:
        """The library of the frames this object returns: ``pandas`` or ``polars``
        (``zhili.score(..., output=...)``; default: polars for polars input)."""
        return self._output

    def _out(self, frame: Any) -> Any:
        """A pandas result as the caller's library: polars puts the row labels (units,
        and time for a panel) in leading columns, since it has no index."""
        if self._output != "polars":
            return frame
        import polars as pl

        if hasattr(frame, "to_frame"):  # a Series
            return pl.from_pandas(frame.reset_index())
        return pl.from_pandas(frame.reset_index() if frame.index.name or frame.index.nlevels > 1 else frame)

    # ---- labels ---------------------------------------------------------------------
    def _labels(self, rows: List[int]) -> Any:
        units = self._run.data_unit_ids
        time = self._run.data_time
        pd = _pandas()

        if time is None:
            return pd.Index([units[r] for r in rows], name=self._unit_name)
        return pd.MultiIndex.from_arrays(
            [[units[r] for r in rows], [time[r] for r in rows]], names=[self._unit_name or "unit", "time"]
        )

    def _frame(self, values: np.ndarray, rows: List[int], columns: List[str]) -> "pd.DataFrame":
        pd = _pandas()

        # The engine's arrays are read-only views; a DataFrame gets its own (writable) copy.
        return pd.DataFrame(values, index=self._labels(rows), columns=pd.Index(columns), copy=True)

    # ---- plain data -----------------------------------------------------------------
    @property
    def framework(self) -> Framework:
        """The framework used (with any weights passed to ``score`` applied)."""
        return Framework(self._run.framework)

    @property
    def unit_ids(self) -> List[str]:
        """Units in the results (after screening), in data order."""
        return self._run.unit_ids

    @property
    def node_ids(self) -> List[str]:
        """Every node id (columns of :attr:`scores`)."""
        return self._run.node_ids

    @property
    def index_id(self) -> str:
        """The id of the root node."""
        return self._run.index_id

    @property
    def stages(self) -> List[str]:
        """Stage names: ``raw``, one per step, ``aggregated``."""
        return self._run.stage_names()

    def scores_array(self) -> np.ndarray:
        """Units × nodes scores as a read-only numpy array (no copy)."""
        return self._run.scores()

    def ranks_array(self) -> np.ndarray:
        """Units × nodes ranks (1 = best) as a numpy array."""
        return self._run.ranks()

    # ---- DataFrames -----------------------------------------------------------------
    @property
    def scores(self) -> "pd.DataFrame":
        """Scores at every node: index = units, columns = node ids (indicators normalised).

        A default run (``keep_stages=None``) computes the aggregates when scoring and the
        normalised-indicator columns on the first access to this (or :attr:`ranks`, a
        stage, a report), from the kept input — bit-identical to computing them at once,
        and cached. If the input was written in place before that access it raises
        :class:`DataError` (score again, or pass ``keep_stages=True``).
        """
        return self._out(self._scores())

    def _scores(self) -> "pd.DataFrame":
        return self._frame(self._run.scores(), self._run.result_rows(), self.node_ids)

    @property
    def ranks(self) -> "pd.DataFrame":
        """Ranks at every node, same shape as :attr:`scores` (1 = best, ties per the pipeline).

        Whole ranks come as pandas' nullable ``Int64`` (``<NA>`` for a unit with no score);
        ``ties="average"`` ranks that are not whole stay ``float64``.
        """
        return self._out(_whole(self._frame(self._run.ranks(), self._run.result_rows(), self.node_ids)))

    @property
    def index(self) -> "pd.Series":
        """The index (root) scores (a default run gives them without building every node's)."""
        pd = _pandas()

        s = pd.Series(self._run.index_scores(), index=self._labels(self._run.result_rows()), name=self.index_id)
        return self._out(s)

    @property
    def index_ranks(self) -> "pd.Series":
        """Ranks of the index (root) only: cheaper than :attr:`ranks` on large data
        (``Int64`` as :attr:`ranks`)."""
        pd = _pandas()

        return self._out(self._index_ranks())

    def _index_ranks(self) -> "pd.Series":
        pd = _pandas()

        s = pd.Series(self._run.index_ranks(), index=self._labels(self._run.result_rows()), name=self.index_id)
        return _whole(s)

    def stage(self, name: str) -> "pd.DataFrame":
        """One stage as a DataFrame (units × indicators; ``aggregated`` = units × nodes).

        Raises :class:`UnknownIdError` naming the stage and the ones available.
        """
        rows, values = self._run.stage(name)
        cols = self.node_ids if name in ("aggregated", "scores") else self._run.indicator_ids
        return self._out(self._frame(values, rows, cols))

    @property
    def log(self) -> "pd.DataFrame":
        """What each step did: ``step, action, level, unit, indicator, value, detail`` — one
        row per cell imputed, point winsorised, unit screened, warning raised.

        An EMPTY log means no step changed or questioned a value: nothing was missing, nothing
        was treated or screened (a normalisation or an aggregation alone logs nothing);
        ``df.attrs["why"]`` says so.
        """
        pd = _pandas()

        df = pd.DataFrame(self._run.log(), columns=list(_LOG_COLUMNS))
        if df.empty:
            df.attrs["why"] = _EMPTY_LOG
        return self._out(df)

    def _log_line(self) -> str:
        n = len(self._run.log()["step"])
        return f"log: {n} entries" if n else f"log: empty — {_EMPTY_LOG}"

    @property
    def effective_weights(self) -> "pd.Series":
        """Each node's effective weight in the index."""
        pd = _pandas()

        return pd.Series(self._run.effective_weights(), index=pd.Index(self.node_ids), name="effective_weight")

    @property
    def normaliser(self) -> Optional[Dict[str, Any]]:
        """The fitted normaliser (method and learned parameters), if the pipeline normalised."""
        s = self._run.normaliser_json()
        return None if s is None else json.loads(s)

    def grade(self, labels: Any, *, node: Optional[str] = None, lang: str = "zh", **breaks: Any) -> "pd.Series":
        """Grade a node's scores (default: the index) into labelled bands; see :func:`zhili.grade`.

        ``labels`` is a list of labels (lowest band first, with ``thresholds=``,
        ``quantiles=`` or ``equal_intervals=True``), or a :class:`zhili.Grading` — also as
        its document: a path or TOML text such as a bundled sample's ``s.grading`` — whose
        band names (in ``lang``) and thresholds are used.

        Returns an ordered categorical Series of labels (lowest band first), index = units.

        >>> import zhili
        >>> s = zhili.datasets.load()
        >>> g = s.score().grade(s.grading, lang="en")
        >>> list(g.cat.categories)
        ['poor', 'fair', 'good', 'excellent']
        """
        from ._grade import Grading, grade

        pd = _pandas()
        if isinstance(labels, (str, os.PathLike)):
            labels = Grading(labels)
        if isinstance(labels, Grading):
            if breaks:
                raise TypeError("a Grading brings its own thresholds: give no thresholds=, quantiles= or equal_intervals=")
            labels, breaks = labels.labels(lang), {"thresholds": labels.thresholds}
        labels = list(labels)
        col = self._scores()[node or self.index_id]
        g = grade(col.to_numpy(), labels, **breaks)
        cat = pd.Categorical(g.labels, categories=list(labels), ordered=True)
        out = pd.Series(cat, index=col.index, name=f"{col.name} grade")
        out.attrs["thresholds"] = g.thresholds
        return out

    def ranking(self, top: Optional[int] = None, lang: Optional[str] = None) -> "pd.DataFrame":
        """Units best first: rank, name (if known), index score and the root's children.

        Columns are node ids; ``lang="zh"`` / ``"en"`` heads them with the nodes' names in that
        language (the other language, then the id, where a name is missing), as
        ``zhili score --lang`` does.

        >>> import zhili
        >>> res = zhili.datasets.load().score()
        >>> list(res.ranking(lang="en").columns[:3])
        ['Rank', 'Name', 'County-level social-governance index (candidate framework)']
        """
        return self._out(self._ranking(top, lang))

    def _ranking(self, top: Optional[int], lang: Optional[str]) -> "pd.DataFrame":
        fw = self.framework
        nodes = {n["id"]: n for n in fw.nodes}
        root = nodes[self.index_id]
        scores = self._scores()
        ranks = self._index_ranks()
        df = scores[[self.index_id, *root["children"]]].copy()
        df.insert(0, "rank", ranks)
        if self._unit_names:
            df.insert(1, "name", [self._unit_names.get(u, "") for u in scores.index.get_level_values(0)])
        df = df.sort_values(["rank"], kind="stable", na_position="last")
        if lang is not None:
            if lang not in ("zh", "en"):
                raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
            other = "en" if lang == "zh" else "zh"
            words = {"rank": ("排名", "Rank"), "name": ("名称", "Name")}

            def label(c: str) -> str:
                if c in words and c not in nodes:
                    return words[c][0 if lang == "zh" else 1]
                n = nodes[c]
                return str(n.get(f"name_{lang}") or n.get(f"name_{other}") or c)

            df.columns = [label(str(c)) for c in df.columns]
        return df if top is None else df.head(top)

    # ---- report and plots -------------------------------------------------------------
    def to_html_report(
        self,
        path: Optional[Union[str, "os.PathLike[str]"]] = None,
        lang: Optional[str] = None,
        uncertainty: Optional[int] = None,
        sensitivity: Optional[int] = None,
        *,
        factors: Optional[Sequence[Mapping[str, Any]]] = None,
        seed: int = 1,
        grading: Optional[str] = None,
    ) -> str:
        """Write the self-contained HTML report (the same file as ``zhili report``): the
        framework sunburst, ranking coloured by grade, units × dimensions heatmap, unit
        profiles, the statistical audit, optional rank intervals (``uncertainty`` Monte
        Carlo runs) and Sobol indices (``sensitivity`` base sample N), and the method.

        ``lang`` is ``"zh"`` or ``"en"`` (default: the framework's language); ``factors`` the
        uncertain factors (default: every weight × U(0.75, 1.25), one factor per level);
        ``grading`` a grading TOML text (e.g. ``zhili.datasets.load().grading``). Returns the
        HTML; writes it to ``path`` when given.

        >>> import zhili
        >>> s = zhili.datasets.load()
        >>> html = s.score().to_html_report(lang="en", grading=s.grading)
        >>> html.startswith("<!DOCTYPE html>") and 'lang="en"' in html
        True
        """
        text = self._run.html_report(
            lang=lang,
            uncertainty=None if uncertainty is None else _params.count("uncertainty", uncertainty, minimum=1),
            sensitivity=None if sensitivity is None else _params.count("sensitivity", sensitivity, minimum=2),
            factors_json=None if factors is None else json.dumps([dict(f) for f in factors]),
            seed=_params.seed("seed", seed),
            grading_toml=grading,
            command=f"Results.to_html_report(lang={lang!r}, uncertainty={uncertainty!r}, sensitivity={sensitivity!r}, seed={seed!r})",
        )
        if path is not None:
            with open(os.fspath(path), "w", encoding="utf-8") as f:
                f.write(text)
        return text

    @property
    def plot(self) -> "PlotAccessor":
        """Plots of these results (``res.plot.bar()``, ``.dot``, ``.dist``, ``.corr``,
        ``.scatter``, ``.framework``); see :mod:`zhili.plot` (needs matplotlib)."""
        from .plot import PlotAccessor

        return PlotAccessor(self)

    def to_excel(
        self,
        path: Union[str, "os.PathLike[str]"],
        lang: Optional[str] = None,
        stages: bool = False,
        *,
        grading: Union[None, bool, str, "os.PathLike[str]"] = None,
    ) -> None:
        """Write the results workbook to ``path`` (``.xlsx``), the same file as
        ``zhili score --format xlsx``.

        Sheets, in order: ``ranking`` (rank, unit, name, index, grade — the grade cell filled
        with its band colour), ``scores`` (every node), ``weights`` (nominal and effective),
        one sheet per stage when ``stages=True``, ``log``, ``framework`` (an iMeta-style
        table). Headers and sheet names in ``lang`` (``"zh"`` / ``"en"``; default: the
        framework's language). Numbers are stored as numbers, exactly the ``float64`` values
        of :attr:`scores`; text is stored as text, never as a formula. The file appears whole
        or not at all.

        ``grading``: ``None`` uses the bundled grading of a bundled framework (none
        otherwise), ``False`` none, a path or TOML text a grading document.

        Raises :class:`zhili.ZhiliError` naming the problem (an unknown ``lang``, a bad
        grading document, a file that cannot be written).
        """
        unit_names = None
        if self._unit_names:
            unit_names = [self._unit_names.get(u, "") for u in self.unit_ids]
        self._run.to_excel(
            os.fspath(path),
            lang=lang,
            stages=stages,
            unit_names=unit_names,
            grading=_grading_toml(grading, self.framework.id),
        )

    def __repr__(self) -> str:
        n = len(self.unit_ids)
        head = f"Results({n} units × {len(self.node_ids)} nodes, index {self.index_id!r}, stages {self.stages}; {self._log_line()})"
        try:
            return head + "\n" + self._ranking(10, None).to_string(float_format=lambda x: f"{x:.4f}")
        except ImportError:  # pragma: no cover - numpy only
            return head
        except _native.DataError as e:  # every node's scores refused (input written in place)
            return f"{head}\n{e}"

    def _repr_html_(self) -> str:
        top = 20
        df = self._ranking(None, None)
        shown = df.head(top)
        more = len(df) - len(shown)
        table = shown.to_html(float_format=lambda x: f"{x:.4f}", na_rep="–")
        note = f"<p>… {more} more units</p>" if more > 0 else ""
        return (
            f"<div><b>Results</b>: {len(self.unit_ids)} units, index <code>{html.escape(self.index_id)}</code>, "
            f"stages {html.escape(' → '.join(self.stages))}; {html.escape(self._log_line())}{table}{note}</div>"
        )

    def __getstate__(self) -> Dict[str, Any]:
        return {"run": self._run, "unit_name": self._unit_name, "unit_names": self._unit_names, "output": self._output}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self._run = state["run"]
        self._unit_name = state["unit_name"]
        self._unit_names = state["unit_names"]
        self._output = state.get("output", "pandas")


def _grading_toml(grading: Union[None, bool, str, "os.PathLike[str]"], framework_id: Optional[str]) -> Optional[str]:
    """The grading document ``to_excel`` passes on (see its ``grading`` argument)."""
    if grading is None or grading is True:
        bundled = next((b for b in _native.bundled() if b["name"] == framework_id), None)
        return None if bundled is None else bundled["grading"]
    if grading is False:
        return None
    if isinstance(grading, os.PathLike) or (isinstance(grading, str) and "\n" not in grading and os.path.isfile(grading)):
        with open(os.fspath(grading), encoding="utf-8-sig") as f:
            return f.read()
    return str(grading)
