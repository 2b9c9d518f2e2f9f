"""zhili on a ``dask.distributed`` cluster (``pip install "zhili[dask]"``).

:func:`fit` and :func:`score` fit a pipeline over a partitioned table (one
:class:`zhili.PartialFit` per partition, merged in a tree) and score it partition by
partition with the fitted parameters, ranks exact over the whole collection
(``_rank.py``): equal to :func:`zhili.fit` / :func:`zhili.score` on the concatenated data.

:func:`uncertainty` splits the Monte Carlo runs of :func:`zhili.uncertainty` across the
workers and merges per-unit rank histograms: the statistics are those of the one-machine
analysis for the same ``seed``, identically (each run's draws depend only on the seed and
the run number, so the runs are sampled once, as a :class:`zhili.Design`, and each worker
replays its share).

How the merge is exact: a histogram is the multiset of (unit, rank) pairs with their
counts — integers, merged by addition in any order. From it, per unit, with ``n`` ranked
runs, nominal rank ``r₀`` and the ranks in ascending order ``x₍₁₎ ≤ … ≤ x₍ₙ₎``::

    mean            = Σ r·c / n                       (integer sum, one division)
    mean_abs_shift  = Σ |r − r₀|·c / n                (0 when the unit has no nominal rank)
    quantile p      = (1 − h) x₍ₖ₎ + h x₍ₖ₊₁₎,  i = 1 + (n − 1) p,  k = ⌊i⌋,  h = i − k   (R type 7)

as the engine computes them (``core/src/analysis/uncertainty/stats.rs``).

:func:`derive_grid_events` and :func:`grade_households` derive indicators from records
partitioned across the cluster (Parquet in, Parquet out): the records are shuffled so that
every unit (every township) lies in one partition, each partition is derived by the same Rust
code as :func:`zhili.derive_grid_events` / :func:`zhili.grade_households`, and the areas are
put back in the one-machine order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import numpy as np

from ..analysis import Design, UncertaintyResult, replay
from ..analysis._common import _spec
from .._derive import _csv_text, derive_grid_events as _derive_events, grade_households as _grade_households
from .._score import _as_framework, _as_pipeline

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

from ._fit import fit
from ._score import score

__all__ = ["RankHistogram", "split_design", "uncertainty", "derive_grid_events", "grade_households", "fit", "score"]


class RankHistogram:
    """Per-unit counts of ranks over runs: ``keys = unit × stride + rank`` (sorted, unique)
    and their ``counts``. :meth:`merge` adds counts (associative, commutative, exact)."""

    __slots__ = ("units", "stride", "keys", "counts")

    def __init__(self, units: int, stride: int, keys: np.ndarray, counts: np.ndarray) -> None:
        self.units, self.stride, self.keys, self.counts = units, stride, keys, counts

    @classmethod
    def of_runs(cls, run_ranks: np.ndarray) -> "RankHistogram":
        """The histogram of a runs × units block of ranks (NaN = unranked in that run)."""
        runs, units = run_ranks.shape
        stride = 1 << 32  # ranks are 32-bit in the engine: every histogram keys alike
        ok = ~np.isnan(run_ranks)
        unit = np.broadcast_to(np.arange(units, dtype=np.int64), run_ranks.shape)[ok]
        keys, counts = np.unique(unit * stride + run_ranks[ok].astype(np.int64), return_counts=True)
        return cls(units, stride, keys, counts.astype(np.int64))

    def merge(self, other: "RankHistogram") -> "RankHistogram":
        """The histogram of both sets of runs."""
        keys, inv = np.unique(np.concatenate([self.keys, other.keys]), return_inverse=True)
        counts = np.zeros(len(keys), dtype=np.int64)
        np.add.at(counts, inv, np.concatenate([self.counts, other.counts]))
        return RankHistogram(self.units, self.stride, keys, counts)

    def stats(self, nominal_rank: np.ndarray) -> Dict[str, np.ndarray]:
        """``mean, median, p5, p95, mean_abs_shift, ranked_runs`` per unit (module docs)."""
        if not len(self.keys):
            nan = np.full(self.units, np.nan)
            return {k: nan for k in ("mean", "median", "p5", "p95", "mean_abs_shift")} | {
                "ranked_runs": np.zeros(self.units, dtype=np.uint64)
            }
        unit = self.keys // self.stride
        rank = self.keys % self.stride
        c = self.counts
        # integer sums (exact in float64 below 2⁵³: units × runs × rank is far below)
        n = np.bincount(unit, weights=c, minlength=self.units).astype(np.int64)
        first = np.searchsorted(unit, np.arange(self.units))
        sums = np.bincount(unit, weights=rank * c, minlength=self.units).astype(np.int64)
        nominal = np.nan_to_num(nominal_rank, nan=0.0).astype(np.int64)
        shifts_each = np.where(nominal[unit] > 0, np.abs(rank - nominal[unit]), 0) * c
        shifts = np.bincount(unit, weights=shifts_each, minlength=self.units).astype(np.int64)
        has = n > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(has, sums / np.where(has, n, 1), np.nan)
            shift = np.where(has, shifts / np.where(has, n, 1), np.nan)
        cum = np.cumsum(c)
        base = np.concatenate([[0], cum])[first]

        def order_stat(k: np.ndarray) -> np.ndarray:
            pos = np.searchsorted(cum, base + k, side="right")
            return rank[np.minimum(pos, len(rank) - 1)].astype(np.float64)

        out: Dict[str, np.ndarray] = {"mean": mean, "mean_abs_shift": shift, "ranked_runs": n.astype(np.uint64)}
        for name, p in (("p5", 0.05), ("median", 0.5), ("p95", 0.95)):
            index = 1.0 + (np.maximum(n, 1) - 1).astype(np.float64) * p
            lo = np.floor(index)
            k = lo.astype(np.int64) - 1
            a = order_stat(k)
            b = order_stat(np.minimum(k + 1, np.maximum(n, 1) - 1))
            h = index - lo
            q = np.where((index > lo) & (b != a), (1.0 - h) * a + h * b, a)
            out[name] = np.where(has, q, np.nan)
        return out


def split_design(design_csv: str, parts: int) -> List[str]:
    """The design split into ``parts`` designs of consecutive runs (header repeated)."""
    lines = design_csv.rstrip("\n").split("\n")
    head, rows = lines[0], lines[1:]
    size = max(1, -(-len(rows) // parts))
    return [head + "\n" + "\n".join(rows[i : i + size]) + "\n" for i in range(0, len(rows), size)]


def _replay_chunk(fw: Any, data: Any, pipe: Any, design_csv: str, options: Dict[str, Any]) -> Tuple[RankHistogram, Any]:
    res = replay(fw, data, pipe, Design(design_csv), keep_runs=True, **options)
    assert res.run_ranks is not None  # keep_runs=True
    return RankHistogram.of_runs(res.run_ranks.to_numpy(dtype=np.float64)), res


def _merge(hs: List[RankHistogram]) -> RankHistogram:
    out = hs[0]
    for h in hs[1:]:
        out = out.merge(h)
    return out


def uncertainty(
    data: Any,
    framework: Any,
    factors: Any,
    runs: int = 1000,
    seed: int = 0,
    *,
    client: "Client",
    pipeline: Any = None,
    partitions: Optional[int] = None,
    **data_options: Any,
) -> UncertaintyResult:
    """:func:`zhili.uncertainty` with the runs split across ``client``'s workers.

    ``data`` is what :func:`zhili.score` takes (it is sent to every worker once);
    ``partitions`` the number of run blocks (default: 4 per worker thread). Returns the
    :class:`zhili.UncertaintyResult` of the index with the statistics the one-machine
    analysis gives for this ``seed`` (no run-by-run tables, no ``nodes``).

    Raises what :func:`zhili.uncertainty` raises; a worker that dies is retried by dask.
    """
    fw = _as_framework(framework)
    pipe = _as_pipeline(pipeline)
    spec = _spec(factors)
    design = Design.sample(fw, spec["factors"], runs=int(runs), seed=int(seed))
    nthreads = sum(client.nthreads().values()) or 1
    parts = split_design(design.csv, int(partitions or 4 * nthreads))
    remote = client.scatter(data, broadcast=True)
    futures = [client.submit(_replay_chunk, fw, remote, pipe, p, data_options, pure=False, retries=2) for p in parts]
    hists = [client.submit(lambda r: r[0], f, retries=2) for f in futures]
    while len(hists) > 1:  # tree reduction, pairs at a time
        hists = [client.submit(_merge, hists[i : i + 2], retries=2) for i in range(0, len(hists), 2)]
    merged: RankHistogram = hists[0].result()
    first = futures[0].result()[1]
    index = first.index
    stats = merged.stats(index["nominal_rank"].to_numpy())
    raw_index = {"node": first.index_id, "nominal_score": index["nominal_score"].to_numpy(), "nominal_rank": index["nominal_rank"].to_numpy(), **stats}
    raw = {"runs": len(design), "unit_ids": first.unit_ids, "index": raw_index, "nodes": [], "run_scores": None, "run_ranks": None, "design": None}
    return UncertaintyResult(raw, index.index.name)


def _latest(events: Any) -> str:
    """The latest ``reported_at`` / ``closed_at`` of a dask event log (the one-machine
    default ``as_of``), as ``YYYY-MM-DD HH:MM:SS`` in UTC like the Rust parser."""
    import pandas as pd

    def part(df: Any) -> Any:
        t = pd.concat([df["reported_at"], df["closed_at"]]).dropna().astype(str).str.strip()
        t = t[t != ""]
        return pd.Series([pd.to_datetime(t, utc=True, format="mixed").max() if len(t) else pd.NaT])

    latest = events.map_partitions(part, meta=(None, "datetime64[ns, UTC]")).max().compute()
    return latest.tz_convert(None).strftime("%Y-%m-%d %H:%M:%S")


def derive_grid_events(
    events: Any, population: Any, *, as_of: Optional[str] = None, out: Optional[str] = None, quiet: bool = False
) -> Any:
    """:func:`zhili.derive_grid_events` over a dask event log (e.g. ``dd.read_parquet``):
    a pandas DataFrame equal to the one-machine result, also written to ``out`` (a Parquet
    path) when given. ``as_of`` defaults to the latest timestamp of the whole log, found
    first (so every partition judges open events at the same time). Per-year panels
    (``by_year``) are not supported here (years would differ per partition).
    """
    import dask.dataframe as dd  # noqa: F401  (the extra is installed)
    import pandas as pd

    pop_text, _ = _csv_text(population, "population")
    if as_of is None:
        as_of = _latest(events)
    cols = list(events.columns)
    by_unit = events.shuffle("unit")

    def part(df: Any) -> Any:
        if len(df) == 0:
            return pd.DataFrame(columns=meta_cols)
        return _derive_events(df[cols], io_population(pop_text), as_of=as_of, quiet=True)

    whole = _derive_events(_head_log(events), io_population(pop_text), as_of=as_of, quiet=True)
    meta_cols = list(whole.columns)
    parts = by_unit.map_partitions(part, meta=whole.iloc[:0]).compute()
    # every partition lists every unit of the population: a unit's row is the one from the
    # partition holding its events (events > 0), else (no events anywhere) any of them
    order = {u: k for k, u in enumerate(whole["unit"])}
    out_df = (
        parts.sort_values("events", kind="stable")
        .drop_duplicates("unit", keep="last")
        .assign(_k=lambda d: d["unit"].map(order))
        .sort_values("_k")
        .drop(columns="_k")
        .reset_index(drop=True)
    )
    if not quiet:
        _warn_missing(out_df)
    if out is not None:
        out_df.to_parquet(out, index=False)
    return out_df


def io_population(text: str) -> Any:
    import io

    import pandas as pd

    return pd.read_csv(io.StringIO(text), dtype={"unit": str})


def _head_log(events: Any) -> Any:
    """A small piece of the log (its first non-empty partition's first rows) to learn the
    output's columns and unit order from."""
    for k in range(events.npartitions):
        head = events.get_partition(k).head(50)
        if len(head):
            return head
    raise ValueError("the event log has no events")


def _warn_missing(df: Any) -> None:
    import warnings

    from .._data import ZhiliWarning

    ind = [c for c in df.columns if c not in ("unit", "name", "population", "events", "year")]
    for c in ind:
        for u in df.loc[df[c].isna(), "unit"]:
            warnings.warn(f"unit `{u}`, indicator `{c}`: missing", ZhiliWarning, stacklevel=3)


def grade_households(
    households: Any, *, grading: Optional[str] = None, level: str = "village", out: Optional[str] = None, quiet: bool = False
) -> Any:
    """:func:`zhili.grade_households` over a dask DataFrame of households: shuffled by
    township (a village lies in one township), rolled up per partition, areas in order of
    first appearance as on one machine. Returns a pandas DataFrame; writes Parquet to
    ``out`` when given."""
    import pandas as pd

    cols = list(households.columns)
    # order of first appearance, as on one machine: partitions in order, areas in row order
    seen = households[level].astype(str).map_partitions(lambda c: pd.Series(c.unique(), dtype=object), meta=(level, object))
    order = {a: k for k, a in enumerate(pd.unique(seen.compute().to_numpy()))}
    by_township = households.shuffle("township")

    def part(df: Any) -> Any:
        if len(df) == 0:
            return meta
        return _grade_households(df[cols], grading=grading, level=level, quiet=True)

    meta = _grade_households(households.head(200)[cols], grading=grading, level=level, quiet=True).iloc[:0]
    parts = by_township.map_partitions(part, meta=meta).compute()
    out_df = parts.assign(_k=lambda d: d["unit"].map(order)).sort_values("_k").drop(columns="_k").reset_index(drop=True)
    if not quiet:
        _warn_missing(out_df)
    if out is not None:
        out_df.to_parquet(out, index=False)
    return out_df
