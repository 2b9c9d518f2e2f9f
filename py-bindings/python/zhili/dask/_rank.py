"""Exact ranks over a partitioned collection: the ranked nodes' scores gathered in one task.

Each partition hands over one float64 column per ranked node (8 bytes a unit: 80 MB for
10,000,000 units); one task concatenates them in partition order, ranks each column once
(one sort, descending; ties in collection order) and cuts the ranks back into per-partition slices. With the
units sorted best first (ties in collection order), a score's run of equal scores starting
at position ``p`` (0-based) and holding ``c`` units, every tie rule of the engine
(``core/src/rank.rs``; 1 = best, missing scores unranked and not counted) is::

    min      p + 1                       (the default: 1, 2, 2, 4)
    max      p + c
    average  p + (c + 1) / 2
    dense    1 + number of distinct scores above
    first    the unit's own position + 1 (earlier partitions first)

Why not a merged table of distinct scores looked up per partition: at 10,000,000 units
the table itself approaches 10,000,000 entries, is merged through a tree of sorts and
shipped to every partition's task; one sort of the gathered column is less work and
moves less data (benches/PERFORMANCE.md, "The distributed path").
"""

from __future__ import annotations

from typing import Dict, List, Sequence

import numpy as np

TIES = ("min", "max", "average", "dense", "first")


def rank_desc(scores: np.ndarray, ties: str) -> np.ndarray:
    """Ranks of ``scores`` (1 = best, NaN where the score is missing) under ``ties``."""
    if ties not in TIES:
        raise ValueError(f"unknown tie rule `{ties}` (one of {', '.join(TIES)})")
    s = np.asarray(scores, dtype=np.float64)
    out = np.full(len(s), np.nan)
    ok = np.flatnonzero(~np.isnan(s))
    if not len(ok):
        return out
    v = -s[ok]  # ascending = best first
    # an unstable argsort (several times faster than a stable one at 10,000,000 units);
    # the order within a run of equal scores matters only to ``first``, fixed below
    order = np.argsort(v)
    sv = v[order]
    start = np.empty(len(sv), dtype=bool)
    start[0] = True
    np.not_equal(sv[1:], sv[:-1], out=start[1:])
    run = np.cumsum(start) - 1  # the run (distinct score) of each sorted unit
    first_at = np.flatnonzero(start)  # where each run starts
    if ties == "first" and len(first_at) < len(sv):
        # ties in collection order: sort (run, position) packed in one int64 (n² < 2⁶³)
        key = run * len(sv) + order
        key.sort()
        order = key % len(sv)
    if ties == "first":
        r = np.arange(1, len(sv) + 1, dtype=np.float64)
    elif ties == "dense":
        r = (run + 1).astype(np.float64)
    else:
        size = np.diff(np.append(first_at, len(sv)))
        p, c = first_at[run].astype(np.float64), size[run].astype(np.float64)
        r = p + 1 if ties == "min" else p + c if ties == "max" else p + (c + 1) / 2.0
    ranked = np.empty(len(sv), dtype=np.float64)
    ranked[order] = r
    out[ok] = ranked
    return out


def rank_parts(ties: str, *parts: Dict[str, np.ndarray]) -> List[Dict[str, np.ndarray]]:
    """Per partition (in order), per node, the ranks over all the partitions' scores."""
    nodes = list(parts[0]) if parts else []
    bounds = np.cumsum([0, *(len(next(iter(p.values()))) if p else 0 for p in parts)])
    ranks = {n: rank_desc(np.concatenate([p[n] for p in parts]), ties) for n in nodes}
    return [{n: ranks[n][bounds[k] : bounds[k + 1]] for n in nodes} for k in range(len(parts))]


def columns(frame: object, nodes: Sequence[str]) -> Dict[str, np.ndarray]:
    """The ranked nodes' scores of one partition's output."""
    return {n: frame[n].to_numpy(dtype=np.float64) for n in nodes}  # type: ignore[index]
