"""Panel data over a dask DataFrame: the rows of one year, by the rule of :func:`zhili.score`
(``time=`` names the year column; ``year=None`` the latest year, ``year=2022`` that year, an
unknown year refused listing the years there are)."""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

import numpy as np

from .. import _native
from .._data import float_values, from_pandas
from .._score import _years


def _part_years(part: Any, time: str) -> List[int]:
    return _years(from_pandas(part), time) if len(part) else []


def years(ddf: Any, time: str) -> List[int]:
    """The distinct years of the ``time`` column over the whole collection, ascending (one
    pass over that column only)."""
    import dask

    if time not in ddf.columns:
        raise _native.MissingColumnError(f"missing column `{time}` (needed by the time= argument of zhili.dask)")
    per_part = dask.compute(*[dask.delayed(_part_years)(p, time) for p in ddf[[time]].to_delayed()])
    return sorted({y for ys in per_part for y in ys})


def _rows_of_year(part: Any, time: str, year: int) -> Any:
    t = float_values(from_pandas(part).column(time), time, [str(k + 1) for k in range(len(part))])
    return part[t == year]


def select_year(ddf: Any, time: Optional[str], year: Any) -> Tuple[Any, Optional[int]]:
    """The rows of ``year`` (default: the latest) and that year; the collection unchanged
    without ``time``. Partitions keep their number (some may be empty)."""
    if time is None:
        if year is not None:
            raise _native.DataError(f"year={year!r} given but no time= column names the years of the data")
        return ddf, None
    ys = years(ddf, time)
    if not ys:
        return ddf, None
    y = ys[-1] if year is None else year
    if isinstance(y, bool) or not isinstance(y, (int, np.integer)):
        raise TypeError(f"year must be an int, None (the latest) or 'all', not {y!r}")
    if int(y) not in ys:
        listed = ", ".join(map(str, ys))
        err = _native.UnknownIdError(f"unknown time `{y}` (the data has {listed})")
        err.what, err.id, err.context = "time", str(y), f"the data has {listed}"  # type: ignore[attr-defined]
        raise err
    return ddf.map_partitions(_rows_of_year, time, int(y), meta=ddf._meta), int(y)
