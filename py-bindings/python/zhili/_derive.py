"""Derived indicators from raw records: grid-event logs and household risk grades
(``zhili derive`` for Python). The records go to the Rust derivation as CSV text and the
indicator table comes back as a DataFrame (the CLI's numbers; display names not added)."""

from __future__ import annotations

import io
import os
import warnings
from typing import TYPE_CHECKING, Any, Optional, Tuple

from . import _native
from ._compat import pandas as _pandas
from ._data import ZhiliWarning

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def _csv_text(records: Any, what: str) -> Tuple[str, str]:
    """CSV text and a source name for errors from a DataFrame (pandas / polars / pyarrow)
    or a CSV path."""
    if isinstance(records, (str, os.PathLike)):
        text, _ = _native.read_text(os.fspath(records))
        return text, os.fspath(records)
    mod = type(records).__module__.split(".")[0]
    if mod == "polars":
        records = records.to_pandas()
    elif mod == "pyarrow":
        records = records.to_pandas()
    if not (hasattr(records, "to_csv") and hasattr(records, "columns")):
        raise TypeError(f"{what} must be a DataFrame or a CSV path, not {type(records).__name__}")
    return records.to_csv(index=False), what


def _frame(csv: str, warns: Any, stacklevel: int = 3) -> "pd.DataFrame":
    pd = _pandas()
    for w in warns:
        warnings.warn(w, ZhiliWarning, stacklevel=stacklevel)
    # round-trip float parsing: the Rust writer prints the shortest round-trip form
    return pd.read_csv(io.StringIO(csv), dtype={"unit": str}, keep_default_na=False, na_values=[""])


def derive_grid_events(
    events: Any, population: Any, *, by_year: bool = False, as_of: Optional[str] = None, quiet: bool = False
) -> "pd.DataFrame":
    """The ``grid-events`` framework's indicators from an event log (as ``zhili derive
    grid-events``): per unit of ``population`` (columns ``unit, population``), events per
    10,000 residents by category, on-time and first-window closure rates, median hours to
    close, repeat rate and mean satisfaction (formulas: the Rust ``grid_events`` module).

    ``events`` (columns ``unit, category, item, reported_at, closed_at, status,
    satisfaction``, optional ``location``) and ``population`` are DataFrames or CSV paths;
    ``as_of`` the time open events are judged at (default: the latest timestamp in the
    log); ``by_year`` one row per unit and year. An indicator left missing is reported as
    a :class:`ZhiliWarning` naming unit and indicator (``quiet=True``: not reported).

    Raises :class:`ParseError` naming file, line and column of a bad record.
    """
    ev, ev_name = _csv_text(events, "events")
    pop, _ = _csv_text(population, "population")
    csv, warns = _native.derive_grid_events(ev, pop, by_year=bool(by_year), as_of=as_of, file=ev_name)
    return _frame(csv, [] if quiet else warns)


def grade_households(
    households: Any, *, grading: Optional[str] = None, level: str = "village", quiet: bool = False
) -> "pd.DataFrame":
    """Grade households red / yellow / green and roll them up to villages or townships (as
    ``zhili derive households``): per area the share of red and yellow households, the mean
    risk points and the household counts per band.

    ``households`` has columns ``household, village, township, points`` and/or ``colour``
    (a DataFrame or a CSV path); ``grading`` a grading TOML text (default: the bundled
    three-colour grading, red ≥ 60, yellow ≥ 30); ``level`` ``village`` or ``township``.
    Warnings as :func:`derive_grid_events`.
    """
    text, name = _csv_text(households, "households")
    csv, warns = _native.roll_up_households(text, grading_toml=grading, level=level, file=name)
    return _frame(csv, [] if quiet else warns)
