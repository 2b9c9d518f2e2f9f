"""``zhili.dask.fit``: one :class:`zhili.PartialFit` per partition, merged in a tree."""

from __future__ import annotations

import copy
from typing import Any, List, Mapping, Optional, Union

from .._fit import FittedPipeline, PartialFit
from .._framework import Framework
from .._pipeline import Pipeline
from .._score import _as_framework, _as_pipeline


def _partial(part: Any, state: PartialFit, data_args: Mapping[str, Any]) -> PartialFit:
    """``state`` (a pass's empty partial fit) updated with one partition (an empty one adds nothing)."""
    pf = copy.deepcopy(state)
    if len(part):
        pf.update(part, **data_args)
    return pf


def _merge(*parts: PartialFit) -> PartialFit:
    acc = parts[0]
    for p in parts[1:]:
        acc.merge(p)
    return acc


def tree(leaves: List[Any], combine: Any, split_every: int) -> Any:
    """Combine delayed ``leaves`` ``split_every`` at a time, level by level, into one."""
    import dask

    if split_every < 2:
        raise ValueError(f"split_every must be at least 2, not {split_every}")
    level = list(leaves)
    while len(level) > 1:
        level = [dask.delayed(combine)(*level[i : i + split_every]) for i in range(0, len(level), split_every)]
    return level[0]


def fit(
    ddf: Any,
    framework: Any,
    pipeline: Union[Pipeline, Any, None] = None,
    *,
    unit: Optional[str] = None,
    names: Optional[str] = None,
    grading: Optional[Mapping[str, Any]] = None,
    weights: Union[str, Mapping[str, Any], None] = None,
    weight_stage: Optional[str] = None,
    time: Optional[str] = None,
    year: Optional[int] = None,
    split_every: int = 8,
) -> FittedPipeline:
    """:func:`zhili.fit` over a dask DataFrame: a :class:`zhili.PartialFit` per partition,
    merged ``split_every`` at a time in a tree on the cluster, finished on the client.

    The fitted pipeline is IDENTICAL for every partitioning and merge order (counts,
    minima, maxima and exact sums; see :class:`zhili.PartialFit`) and equals
    :func:`zhili.fit` on the concatenated data: identical where the one-machine fit's plain
    sums are exact (min-max parameters always), else to about 1e-15 relative (means and
    standard deviations from exact sums rounded once, against a running sum).

    ``unit`` / ``names`` name the unit and display-name columns (default as
    :func:`zhili.score`: ``unit``, ``code``, ... or the index); ``grading`` fixed thresholds
    (``{"node", "labels", "thresholds"}``) or equal intervals
    (``"equal_intervals": True``, fitted by a last pass); ``weights`` / ``weight_stage`` data-driven
    weights as in :func:`zhili.fit` (entropy, CRITIC, coefficient of variation, standard
    deviation, PCA, equal).

    Panel data, as :func:`zhili.fit`: ``time=`` names the year column and the fit reads the
    rows of ``year`` (default: the latest year; an unknown year raises
    :class:`zhili.UnknownIdError` listing the years there are). Score later years against
    the base year with ``zhili.dask.score(ddf, fitted=..., time=..., year="all")``.

    Each pass reads the collection once, a tree merge decided on the client
    (:meth:`zhili.PartialFit.advance`): one pass for a pipeline without ``treat`` and
    without data-driven weights; ``treat`` adds one, and one per normaliser after it;
    weights one per level of the framework that has sibling groups (two for entropy's
    min-max inputs: the columns' ranges, then the sums); equal-interval grading one.
    Persist ``ddf`` first if reading it is expensive.

    Raises :class:`zhili.MethodError` at once, before any computation, for what needs the
    whole data (median imputation, rank-based normalisers, whole-matrix aggregations,
    quantile grading): the engine's own refusal, saying to use :func:`zhili.fit` on the
    whole data. A partition's bad data raises the error :func:`zhili.fit` raises for it.
    """
    from ._panel import select_year

    state = start(_as_framework(framework), _as_pipeline(pipeline), weights, weight_stage, grading)
    rows, y = select_year(ddf, time, year)
    return fit_rows(rows, state, {"unit": unit, "names": names, "time": time, "year": y}, split_every)


def start(fw: Framework, pipe: Pipeline, weights: Any, weight_stage: Optional[str], grading: Optional[Mapping[str, Any]]) -> PartialFit:
    """The first pass's empty partial fit: the engine's refusal of what a partial fit cannot
    do comes here, on the client, before the cluster reads anything."""
    return PartialFit(fw, pipe, weights=weights, weight_stage=weight_stage, grading=grading)


def fit_rows(ddf: Any, state: PartialFit, data_args: Mapping[str, Any], split_every: int) -> FittedPipeline:
    """:func:`fit` of rows already selected (one year of a panel) from the first pass's
    ``state``, one read of ``ddf`` per pass; ``data_args`` for :meth:`zhili.PartialFit.update`."""
    import dask

    parts = ddf.to_delayed()
    while True:
        leaves = [dask.delayed(_partial)(p, state, dict(data_args)) for p in parts]
        merged: PartialFit = tree(leaves, _merge, split_every).compute()
        if merged.passes_left() == 0:
            return merged.finish()
        state = merged.advance()
