"""Exact ranks over a partitioned collection: a merged table of the distinct scores.

Each partition lists its distinct scores with their counts (sorted); the lists are merged
in a tree by adding counts (associative, commutative, exact). From the global table, with
``greater(s)`` the number of units scoring strictly more than ``s`` and ``count(s)`` the
units scoring exactly ``s``, every tie rule of the engine (``core/src/rank.rs``; 1 = best,
missing scores unranked and not counted) is a function of the score alone::

    min      greater(s) + 1                       (the default: 1, 2, 2, 4)
    max      greater(s) + count(s)
    average  greater(s) + (count(s) + 1) / 2
    dense    1 + number of distinct scores above s
    first    greater(s) + 1 + (units scoring s before this one, in collection order)

so each partition looks its own scores up in the table. ``first`` also needs, per
partition, how many units with the same score come in earlier partitions: counted for the
tied scores only (those with ``count(s) > 1``), in partition order.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np

TIES = ("min", "max", "average", "dense", "first")


class ScoreTable:
    """Distinct scores (ascending, no NaN) and how many units have each."""

    __slots__ = ("values", "counts")

    def __init__(self, values: np.ndarray, counts: np.ndarray) -> None:
        self.values, self.counts = values, counts

    @classmethod
    def of(cls, scores: np.ndarray) -> "ScoreTable":
        """The table of one block of scores (NaN = missing, left out)."""
        s = np.asarray(scores, dtype=np.float64)
        values, counts = np.unique(s[~np.isnan(s)], return_counts=True)
        return cls(values, counts.astype(np.int64))

    def merge(self, *others: "ScoreTable") -> "ScoreTable":
        """The table of all the blocks (counts of equal scores added)."""
        values = np.concatenate([self.values, *(o.values for o in others)])
        counts = np.concatenate([self.counts, *(o.counts for o in others)])
        order = np.argsort(values, kind="stable")  # runs of sorted blocks: a merge
        values, counts = values[order], counts[order]
        if not len(values):
            return ScoreTable(values, counts)
        starts = np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))
        return ScoreTable(values[starts], np.add.reduceat(counts, starts))

    def ranks(self, ties: str) -> np.ndarray:
        """The rank of each distinct score under ``ties`` (``first``: of its first unit)."""
        greater = int(self.counts.sum()) - np.cumsum(self.counts)
        if ties in ("min", "first"):
            return greater + 1
        if ties == "max":
            return greater + self.counts
        if ties == "average":
            return greater + (self.counts + 1) / 2.0
        if ties == "dense":
            return np.arange(len(self.values), 0, -1, dtype=np.int64)
        raise ValueError(f"unknown tie rule `{ties}` (one of {', '.join(TIES)})")

    def tied(self) -> np.ndarray:
        """The scores more than one unit has."""
        return self.values[self.counts > 1]


class Ranker:
    """A finished table with the rank of each distinct score, looked up per partition."""

    __slots__ = ("values", "ranks", "ties", "tied")

    def __init__(self, table: ScoreTable, ties: str) -> None:
        self.values, self.ties = table.values, ties
        self.ranks = table.ranks(ties)
        self.tied = table.tied() if ties == "first" else np.empty(0)

    def lookup(self, scores: np.ndarray, earlier: Optional[ScoreTable] = None) -> np.ndarray:
        """Ranks of a partition's ``scores`` (NaN where missing); ``earlier`` (``first``
        only) counts the tied scores of the partitions before this one."""
        s = np.asarray(scores, dtype=np.float64)
        out = np.full(len(s), np.nan)
        ok = np.flatnonzero(~np.isnan(s))
        if not len(ok):
            return out
        # sorted queries: the look-up walks the table in order
        distinct, inverse = np.unique(s[ok], return_inverse=True)
        at = np.searchsorted(self.values, distinct)
        r = self.ranks[at].astype(np.float64)
        if self.ties == "first":
            if earlier is not None and len(earlier.values):
                k = np.searchsorted(earlier.values, distinct)
                k_ok = np.minimum(k, len(earlier.values) - 1)
                hit = (k < len(earlier.values)) & (earlier.values[k_ok] == distinct)
                r = r + np.where(hit, earlier.counts[k_ok], 0)
            out[ok] = r[inverse] + _occurrence(inverse)
        else:
            out[ok] = r[inverse]
        return out

    def tied_counts(self, scores: np.ndarray) -> ScoreTable:
        """How many of a partition's units have each tied score (``first``)."""
        t = ScoreTable.of(scores)
        keep = np.isin(t.values, self.tied, assume_unique=True)
        return ScoreTable(t.values[keep], t.counts[keep])


def _occurrence(groups: np.ndarray) -> np.ndarray:
    """For each element, how many earlier elements have the same group id."""
    order = np.argsort(groups, kind="stable")
    g = groups[order]
    start = np.concatenate([[True], g[1:] != g[:-1]])
    first = np.maximum.accumulate(np.where(start, np.arange(len(g)), 0))
    occ = np.empty(len(g), dtype=np.int64)
    occ[order] = np.arange(len(g)) - first
    return occ


def earlier_counts(tied: List[ScoreTable]) -> List[ScoreTable]:
    """Per partition (in order), for each tied score it has, how many units of the
    partitions before it have that score."""
    values = np.concatenate([np.empty(0), *(t.values for t in tied)])
    counts = np.concatenate([np.empty(0, dtype=np.int64), *(t.counts for t in tied)])
    part = np.repeat(np.arange(len(tied)), [len(t.values) for t in tied])
    order = np.lexsort((part, values))  # by score, then partition
    v, c = values[order], counts[order]
    cum = np.cumsum(c) - c  # units before, over all scores
    start = np.concatenate([[True], v[1:] != v[:-1]]) if len(v) else np.empty(0, dtype=bool)
    base = np.maximum.accumulate(np.where(start, cum, 0)) if len(v) else cum
    before = np.empty(len(v), dtype=np.int64)
    before[order] = cum - base
    bounds = np.cumsum([0, *(len(t.values) for t in tied)])
    return [ScoreTable(t.values, before[bounds[k] : bounds[k + 1]]) for k, t in enumerate(tied)]


def merge_tables(*parts: Dict[str, ScoreTable]) -> Dict[str, ScoreTable]:
    """Merge per-node tables of several partitions."""
    return {node: parts[0][node].merge(*(p[node] for p in parts[1:])) for node in parts[0]}


def earlier_by_node(*tied: Dict[str, ScoreTable]) -> List[Dict[str, ScoreTable]]:
    """:func:`earlier_counts` for every node: per partition, per node."""
    nodes = list(tied[0]) if tied else []
    per_node = {node: earlier_counts([t[node] for t in tied]) for node in nodes}
    return [{node: per_node[node][k] for node in nodes} for k in range(len(tied))]
