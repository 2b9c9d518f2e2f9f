"""``zhili.dask.score``: apply a fitted pipeline per partition, rank over the collection."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .._fit import FittedPipeline
from .._grade import grade
from .._score import _UNIT_COLUMNS
from .._score import _as_framework, _as_pipeline
from ._fit import fit_rows, start
from ._panel import select_year, years
from ._rank import TIES, columns, rank_parts


class _Plan:
    """What each partition computes: which nodes' scores are kept, which are ranked, the
    output's column names and dtypes (the same on the client, for the meta, and on the
    workers)."""

    def __init__(self, fitted: FittedPipeline, unit_label: Optional[str], names: Optional[str], scores: str, ranks: Any, time: Optional[str] = None, year: Optional[int] = None) -> None:
        fw = fitted.framework
        self.fitted_json = fitted.to_json()
        self.unit_label, self.names = unit_label, names
        self.time, self.year = time, year
        self.index_id = fw.index_id
        aggregates = [n["id"] for n in fw.nodes if n.get("children")]
        if scores == "all":
            self.nodes, self.keep_stages = list(fw.node_ids), None
        elif scores == "aggregates":
            self.nodes, self.keep_stages = [n for n in fw.node_ids if n in aggregates], False
        else:
            raise ValueError(f"scores must be 'all' or 'aggregates', not {scores!r}")
        if ranks is None:
            self.ranked: List[str] = []
        elif ranks == "index":
            self.ranked = [self.index_id]
        elif ranks == "all":
            self.ranked = list(self.nodes)
        elif isinstance(ranks, (list, tuple)):
            unknown = [r for r in ranks if r not in self.nodes]
            if unknown:
                raise ValueError(f"ranks= names nodes whose scores are not kept: {', '.join(map(str, unknown))} (scores={scores!r})")
            self.ranked = [str(r) for r in ranks]
        else:
            raise ValueError(f"ranks must be 'index', 'all', a list of node ids or None, not {ranks!r}")
        self.ties = fitted.pipeline.ties
        if self.ties not in TIES:
            raise ValueError(f"unknown tie rule `{self.ties}` (one of {', '.join(TIES)})")
        g = fitted.grading
        self.grading: Optional[Dict[str, Any]] = g
        if g is not None and g["node"] not in self.nodes:
            raise ValueError(f"the graded node `{g['node']}` is not among the kept scores (scores={scores!r})")
        extra = [self.rank_column(n) for n in self.ranked] + (["grade"] if g is not None else []) + (["time"] if time is not None else [])
        clash = [c for c in extra if c in self.nodes]
        if clash:
            raise ValueError(f"output column {clash[0]!r} is also a node id; rename the node")

    def rank_column(self, node: str) -> str:
        return "rank" if node == self.index_id else f"rank_{node}"

    def frame(self, units: Any, scores: np.ndarray, grades: Optional[List[Optional[str]]]) -> Any:
        """The partition's output before ranks: scores per node (+ grade)."""
        import pandas as pd

        # unit ids are text: the string dtype pandas gives a list of str, also when empty
        index = pd.Index(units if isinstance(units, pd.Index) else list(units), dtype=pd.Index(["u"]).dtype, name=self.unit_label)
        df = pd.DataFrame(scores, index=index, columns=pd.Index(self.nodes), copy=False)
        if self.time is not None:
            # zhili.score indexes a panel's rows by (unit, year); a dask index has one level
            df.insert(0, "time", np.full(len(df), self.year if self.year is not None else 0, dtype=np.int64))
        if self.grading is not None:
            df["grade"] = pd.Categorical(grades if grades is not None else [], categories=self.grading["labels"], ordered=True)
        return df

    def meta(self) -> Any:
        import pandas as pd

        df = self.frame([], np.empty((0, len(self.nodes))), None)
        dtype = "float64" if self.ties == "average" else "Int64"
        for n in self.ranked:
            df[self.rank_column(n)] = pd.Series([], dtype=dtype, index=df.index)
        return df


def _apply(part: Any, plan: _Plan) -> Any:
    """Scores (and grades) of one partition with the fitted pipeline."""
    if not len(part):
        return plan.meta().drop(columns=[plan.rank_column(n) for n in plan.ranked])
    fitted = FittedPipeline.from_json_str(plan.fitted_json)
    screens = any(st["type"] == "screen" for st in fitted.pipeline.to_dict()["steps"])
    res = fitted.apply(
        part,
        unit=plan.unit_label if plan.unit_label in part.columns else None,
        names=plan.names,
        time=plan.time,
        year=plan.year,
        keep_stages=plan.keep_stages,
    )
    cols = [res.node_ids.index(n) for n in plan.nodes]
    scores = np.asarray(res.scores_array())[:, cols]
    grades = None
    if plan.grading is not None:
        g = plan.grading
        grades = grade(scores[:, plan.nodes.index(g["node"])], g["labels"], thresholds=g["thresholds"]).labels
    units = _same_units(part, plan.unit_label, len(scores)) if not screens else None
    return plan.frame(units if units is not None else res.unit_ids, scores, grades)


def _same_units(part: Any, label: Optional[str], n: int) -> Any:
    """The partition's own unit column (or index) as the engine's unit ids, without making
    a Python string per unit: when it is text already (the engine's ids are its values) and
    every row was scored, in order (no ``screen``). ``None`` otherwise."""
    import pandas as pd

    ids = part[label] if label is not None and label in part.columns else part.index
    text = pd.Index(["u"]).dtype
    if len(ids) != n or ids.dtype != text:
        return None
    return pd.Index(ids.array if hasattr(ids, "array") else ids, dtype=text)


def _attach(df: Any, plan: _Plan, ranks: Dict[str, np.ndarray]) -> Any:
    """The partition's output with its slice of the collection's ranks."""
    import pandas as pd

    out = df.copy(deep=False)
    for n in plan.ranked:
        r = ranks[n]
        if plan.ties == "average":
            out[plan.rank_column(n)] = r
        else:  # whole ranks: Int64 with <NA> for missing scores, built without a float round trip
            missing = np.isnan(r)
            out[plan.rank_column(n)] = pd.arrays.IntegerArray(np.where(missing, 0, r).astype(np.int64), missing)
    return out


def _unit_label(ddf: Any, unit: Optional[str]) -> Optional[str]:
    """The unit column (as :func:`zhili.score` picks it), else the index's name."""
    if unit is not None:
        if unit not in ddf.columns:
            from .. import _native

            raise _native.MissingColumnError(f"missing column `{unit}` (needed by the unit= argument of zhili.dask.score)")
        return unit
    found = next((c for c in _UNIT_COLUMNS if c in ddf.columns), None)
    return found if found is not None else ddf.index.name


def score(
    ddf: Any,
    framework: Any = None,
    pipeline: Any = None,
    *,
    fitted: Optional[FittedPipeline] = None,
    unit: Optional[str] = None,
    names: Optional[str] = None,
    grading: Optional[Mapping[str, Any]] = None,
    time: Optional[str] = None,
    year: Union[int, str, None] = None,
    scores: str = "all",
    ranks: Union[str, Sequence[str], None] = "index",
    split_every: int = 8,
) -> Any:
    """:func:`zhili.score` over a dask DataFrame; returns a lazy dask DataFrame.

    Without ``fitted``, the pipeline is first fitted on the whole collection with
    :func:`zhili.dask.fit` (one pass over the data, computed now); with ``fitted`` (a
    :class:`zhili.FittedPipeline`, e.g. of a base year), its framework, pipeline and
    grading are used and ``framework`` / ``pipeline`` / ``grading`` must not be given.

    The result has one row per unit (index: the unit ids, named like the unit column), in
    the collection's order, and the columns:

    - with ``time=``, ``time``: the year (``int64``; :func:`zhili.score` has it as the
      second level, ``time``, of its index);

    - every node's score (``scores="all"``, as :attr:`zhili.Results.scores`: indicators
      normalised), or only the aggregate nodes' (``scores="aggregates"``: the engine keeps
      no stages, the least memory);
    - ``rank``: the index's rank over the WHOLE collection (1 = best, the pipeline's tie
      rule, ``Int64``; ``float64`` for ``ties="average"``; missing score → ``<NA>``), and
      ``rank_<node>`` for the other nodes in ``ranks`` (``"all"``, a list of node ids, or
      ``None`` for no ranks);
    - ``grade``: the band of the graded node under the fitted thresholds (an ordered
      categorical), when the fit has a grading.

    Each partition is scored by the engine (the GIL released) with the fitted parameters,
    so a unit's scores depend only on its own row: equal to :func:`zhili.score` on the
    concatenated data (to the fit's rounding, see :func:`zhili.dask.fit`). Ranks are exact:
    the ranked nodes' scores (one float64 column per ranked node, 8 bytes a unit) are
    gathered in partition order into one task, ranked there once (a stable sort; every tie
    rule of the engine, ``first`` counting earlier partitions first,
    ``zhili/dask/_rank.py``) and sent back to each partition as its slice; ties across
    partitions are ranked as on one machine. The scored partitions stay in the workers'
    memory until the ranks are back. ``split_every`` is the fan-in of the fit's merge tree.

    Panel data, as :func:`zhili.score`: ``time=`` names the year column; ``year=None``
    scores the latest year, ``year=2022`` that year (an unknown year raises
    :class:`zhili.UnknownIdError` listing the years there are), ``year="all"`` every year on
    its own and returns ``{year: dask DataFrame}``, ranks within each year. Without
    ``fitted`` each year is fitted on its own rows (as :func:`zhili.score`); with ``fitted``
    (e.g. ``zhili.dask.fit(ddf, fw, time="year", year=2020)``, the base year) every year is
    scored with the base year's parameters, so a unit's rise is a real rise.

    Raises what :func:`zhili.dask.fit` and :func:`zhili.score` raise; :class:`TypeError`
    for conflicting arguments; :class:`ValueError` for an unknown ``scores`` / ``ranks`` /
    ``year``.
    """
    import dask
    import dask.dataframe as dd

    if fitted is not None:
        if framework is not None or pipeline is not None or grading is not None:
            raise TypeError(
                "score(fitted=...) takes no framework, pipeline or grading: the fitted pipeline brings its own · "
                "已给出 fitted，不能再给 framework / pipeline / grading"
            )
        if not isinstance(fitted, FittedPipeline):
            raise TypeError(f"fitted must be a zhili.FittedPipeline, not {type(fitted).__name__}")
    elif framework is None:
        raise TypeError("score() needs a framework (or fitted=) · 需要 framework 或 fitted")
    if isinstance(year, str):
        if year != "all":
            raise ValueError(f"year must be an int, None (the latest) or 'all', not {year!r}")
        if time is None:
            from .. import _native

            raise _native.DataError("year='all' needs a time= column (the years of a panel) · year='all' 需要 time= 年份列")
        each = dict(fitted=fitted, unit=unit, names=names, grading=grading, time=time, scores=scores, ranks=ranks, split_every=split_every)
        return {y: score(ddf, framework, pipeline, year=y, **each) for y in years(ddf, time)}  # type: ignore[arg-type]
    if fitted is None:
        state = start(_as_framework(framework), _as_pipeline(pipeline), None, None, grading)
    rows, y = select_year(ddf, time, year)
    if fitted is None:
        fitted = fit_rows(rows, state, {"unit": unit, "names": names, "time": time, "year": y}, split_every)
    plan = _Plan(fitted, _unit_label(ddf, unit), names, scores, ranks, time, y)
    applied = [dask.delayed(_apply)(p, plan) for p in rows.to_delayed()]
    if not plan.ranked:
        parts = [dask.delayed(_attach)(a, plan, {}) for a in applied]
        return dd.from_delayed(parts, meta=plan.meta(), verify_meta=False)
    # the ranked columns gathered in one task, ranked once, cut back per partition
    ranked = dask.delayed(rank_parts, nout=len(applied))(plan.ties, *[dask.delayed(columns)(a, plan.ranked) for a in applied])
    parts = [dask.delayed(_attach)(a, plan, ranked[k]) for k, a in enumerate(applied)]
    return dd.from_delayed(parts, meta=plan.meta(), verify_meta=False)


__all__: Tuple[str, ...] = ("score",)
