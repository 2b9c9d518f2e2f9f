"""``zhili.dask.fit``: one :class:`zhili.PartialFit` per partition, merged in a tree."""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Union

from .. import _native
from .._fit import FittedPipeline, PartialFit, _options
from .._framework import Framework
from .._pipeline import Pipeline
from .._score import _as_framework, _as_pipeline


def _partial(part: Any, fw_json: str, pipe_json: str, grading: Optional[Mapping[str, Any]], data_args: Mapping[str, Any]) -> PartialFit:
    """The partial fit of one partition (an empty partition adds nothing)."""
    pf = PartialFit(Framework.from_json_str(fw_json), Pipeline.from_json_str(pipe_json), grading=grading)
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
    (``{"node", "labels", "thresholds"}``).

    Panel data, as :func:`zhili.fit`: ``time=`` names the year column and the fit reads the
    rows of ``year`` (default: the latest year; an unknown year raises
    :class:`zhili.UnknownIdError` listing the years there are). Score later years against
    the base year with ``zhili.dask.score(ddf, fitted=..., time=..., year="all")``.

    Raises :class:`zhili.MethodError` at once, before any computation, for what needs the
    whole data (median imputation, ``treat``, rank-based normalisers, whole-matrix
    aggregations, data-driven ``weights``, quantile grading): the engine's own refusal,
    saying to use :func:`zhili.fit` on the whole data. A partition's bad data raises the
    error :func:`zhili.fit` raises for it.
    """
    from ._panel import select_year

    fw = _as_framework(framework)
    pipe = _as_pipeline(pipeline)
    refuse(fw, pipe, weights, grading)
    rows, y = select_year(ddf, time, year)
    return fit_rows(rows, fw, pipe, grading, {"unit": unit, "names": names, "time": time, "year": y}, split_every)


def refuse(fw: Framework, pipe: Pipeline, weights: Any, grading: Optional[Mapping[str, Any]]) -> None:
    """The engine's refusal of what a partial fit cannot do, on the client, before the
    cluster reads anything."""
    _native.PartialFit(fw._inner, pipe._inner, _options(weights, None, grading))


def fit_rows(ddf: Any, fw: Framework, pipe: Pipeline, grading: Optional[Mapping[str, Any]], data_args: Mapping[str, Any], split_every: int) -> FittedPipeline:
    """:func:`fit` of rows already selected (one year of a panel), ``data_args`` for
    :meth:`zhili.PartialFit.update`."""
    import dask

    fw_json, pipe_json = fw.to_json(), pipe.to_json()
    leaves = [dask.delayed(_partial)(p, fw_json, pipe_json, grading, dict(data_args)) for p in ddf.to_delayed()]
    merged: PartialFit = tree(leaves, _merge, split_every).compute()
    return merged.finish()
