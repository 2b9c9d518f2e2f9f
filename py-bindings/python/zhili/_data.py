"""Data in: a user's table (pandas, polars, pyarrow, numpy) as plain numpy columns.

One mechanism for every library: a table becomes a :class:`Table` — column names, a row
count and, per column, a 1-D numpy array. Float64 columns come out as views of the
library's own memory wherever the layout allows (a pandas block, an Arrow buffer without
nulls), so the engine's one copy into its dataset is the only copy. Everything that
decides what a column *means* (indicator, unit id, group, covariate) lives in
``_score.py`` and sees only numpy arrays.

Types that are not numbers are refused naming the column (and the unit, for a cell),
never coerced: dates, durations, complex numbers, text in an indicator column.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np

from . import _native


class ZhiliWarning(UserWarning):
    """A warning from zhili: the computation went on, but its result needs a look
    (e.g. an indicator with no value at all scores NaN everywhere it weighs)."""


def data_error(message: str, *, column: Optional[str] = None, unit: Optional[str] = None) -> Exception:
    """A :class:`DataError` carrying ``column`` / ``unit`` attributes."""
    err = _native.DataError(message)
    err.column = column  # type: ignore[attr-defined]
    err.unit = unit  # type: ignore[attr-defined]
    return err


_KIND_NAMES = {"M": "dates (datetime64)", "m": "durations (timedelta64)", "c": "complex numbers"}


def refuse_kind(arr: np.ndarray, column: str) -> None:
    """Refuse dates, durations and complex numbers: they are not indicator values, and a
    silent cast (nanoseconds since 1970, the real part) would score garbage."""
    what = _KIND_NAMES.get(arr.dtype.kind)
    if what is not None:
        raise data_error(
            f"column `{column}` holds {what}, not numbers: convert it explicitly "
            f"(e.g. a year or a number of days) · 列 `{column}` 不是数值（{arr.dtype}），请先显式转换",
            column=column,
        )


def unit_at(units: Any, k: int) -> str:
    """The ``k``-th unit id of a list or an Arrow array, as text."""
    u = units[k]
    return str(u.as_py() if hasattr(u, "as_py") else u)


def float_values(arr: np.ndarray, column: str, units: Sequence[str]) -> np.ndarray:
    """A column as numbers (NaN = missing): float64 and int64 in place (the engine casts
    int64 as it copies), other numbers cast to float64, text parsed as numbers
    (vectorised) with the first cell that is not a number refused, naming column and unit."""
    if arr.dtype == np.float64 or arr.dtype == np.int64:
        return arr
    refuse_kind(arr, column)
    kind = arr.dtype.kind
    if kind in "fiub":
        return arr.astype(np.float64)
    from ._compat import pandas

    pd = pandas()
    obj = arr.astype(object) if kind != "O" else arr
    try:
        conv = pd.to_numeric(pd.Series(obj, copy=False), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):  # e.g. complex or unhashable cells
        conv = np.array([_number_or_nan(v) for v in obj], dtype=np.float64)
    bad = np.isnan(conv) & ~pd.isna(obj)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        v = obj[k]
        shown = repr(v) if not isinstance(v, str) else v
        shown = shown if len(shown) <= 80 else shown[:80] + f"… ({len(shown)} chars)"
        raise data_error(
            f"column `{column}` is not numeric: `{shown}` for unit `{unit_at(units, k)}` "
            "(use NaN or an empty cell for a missing value)",
            column=column,
            unit=unit_at(units, k),
        )
    return conv


def _number_or_nan(v: Any) -> float:
    if isinstance(v, (bool, int, float, np.integer, np.floating)):
        return float(v)
    return float("nan")


def texts(arr: np.ndarray) -> List[Optional[str]]:
    """Text cells (``None`` for a missing one) of a group / name column."""
    from ._compat import pandas

    missing = pandas().isna(arr)
    return [None if m else str(v) for v, m in zip(arr.tolist(), missing.tolist())]


class Table:
    """Column names, row count and a numpy accessor per column (see the module docs).

    ``index`` gives the row labels when the library has them (pandas), else ``None``;
    ``index_name`` their name; ``kind`` is ``pandas``, ``polars`` or ``pyarrow``.
    """

    __slots__ = ("columns", "nrows", "_get", "_index", "_pos", "kind", "index_name", "_text")

    def __init__(
        self,
        kind: str,
        columns: List[str],
        nrows: int,
        get: Callable[[int], np.ndarray],
        index: Optional[Callable[[], np.ndarray]] = None,
        index_name: Optional[str] = None,
        text: Optional[Callable[[int], Any]] = None,
    ) -> None:
        self.kind = kind
        self.index_name = index_name
        self._text = text
        self.columns = columns
        self.nrows = nrows
        self._get = get
        self._index = index
        seen: Dict[str, int] = {}
        for c in columns:
            seen[c] = seen.get(c, 0) + 1
        dups = [c for c, k in seen.items() if k > 1]
        if dups:
            raise data_error(
                f"duplicate column `{dups[0]}` in the data ({', '.join(f'`{d}`' for d in dups)} appear more than once) "
                f"· 数据中列名重复：`{dups[0]}`",
                column=dups[0],
            )
        self._pos = {c: j for j, c in enumerate(columns)}

    def __contains__(self, name: str) -> bool:
        return name in self._pos

    def column(self, name: str) -> np.ndarray:
        """The column as a 1-D numpy array (a view for float64 where possible)."""
        return self._get(self._pos[name])

    def arrow_text(self, name: str) -> Any:
        """The column as an Arrow string array (zero-copy), when it is one; else ``None``.
        The engine reads unit ids from it without making a Python object per id."""
        return None if self._text is None else self._text(self._pos[name])

    def index(self) -> Optional[np.ndarray]:
        """Row labels (pandas' index), or ``None``."""
        return None if self._index is None else self._index()

    def rows(self, mask: np.ndarray) -> "Table":
        """The rows where ``mask`` is true (panel years)."""
        get, idx = self._get, self._index
        return Table(
            self.kind,
            self.columns,
            int(mask.sum()),
            lambda j: get(j)[mask],
            None if idx is None else (lambda: idx()[mask]),
            self.index_name,
        )  # (Arrow text is not filtered: rows of a panel year come as numpy)


def _pandas_column(s: Any) -> np.ndarray:
    dt = s.dtype
    if isinstance(dt, np.dtype):
        return s.to_numpy(copy=False)
    from ._compat import pandas

    api = pandas().api.types
    # nullable numbers (Int64, Float64, boolean, arrow numbers): NaN for <NA>
    if api.is_numeric_dtype(dt) or api.is_bool_dtype(dt):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    kind = getattr(dt, "kind", "O")
    if kind in "Mm":  # tz-aware datetimes, arrow timestamps: numpy's, so they are refused by kind
        return s.to_numpy(dtype="M8[ns]" if kind == "M" else "m8[ns]")
    return s.to_numpy(dtype=object)


def from_pandas(df: Any) -> Table:
    from ._compat import pandas

    pd = pandas()
    if isinstance(df.columns, pd.MultiIndex):
        raise data_error(
            f"the data has MultiIndex columns ({df.columns.nlevels} levels): flatten them to one name per column "
            "(e.g. df.columns = ['_'.join(map(str, c)) for c in df.columns]) · 数据的列是多级索引，请先展平为单级列名"
        )
    labels = list(df.columns)
    cols = [str(c) for c in labels]
    nrows = len(df)

    def get(j: int) -> np.ndarray:
        # by label (names are unique, checked in Table): far cheaper than positional iloc
        return _pandas_column(df[labels[j]])

    def index() -> np.ndarray:
        if isinstance(df.index, pd.MultiIndex):
            raise data_error(
                f"the rows have a MultiIndex ({', '.join(str(n) for n in df.index.names)}): call df.reset_index() and "
                "name the unit column with unit= (and a year column with time=) · 行索引是多级索引，请先 reset_index() 并用 unit= 指定单位列"
            )
        return _pandas_column(pd.Series(df.index, copy=False))

    def text(j: int) -> Any:
        arr = df[labels[j]].array
        if not hasattr(arr, "__arrow_array__") or not pd.api.types.is_string_dtype(arr.dtype):
            return None
        try:
            import pyarrow as pa
        except ImportError:  # pragma: no cover - pandas' python-backed strings
            return None
        out = pa.chunked_array(arr.__arrow_array__())
        return out if pa.types.is_string(out.type) or pa.types.is_large_string(out.type) else None

    name = df.index.name
    return Table("pandas", cols, nrows, get, index, None if name is None else str(name), text)


def from_polars(df: Any) -> Table:
    import polars as pl

    cols = [str(c) for c in df.columns]

    def get(j: int) -> np.ndarray:
        s = df.to_series(j)
        dt = s.dtype
        if dt.is_temporal():
            return s.to_numpy()  # datetime64 / timedelta64: refused by kind where a number is needed
        if dt == pl.Float64 and s.null_count() == 0:
            return s.to_numpy()  # zero-copy: one chunk, no nulls
        if dt.is_numeric() or dt == pl.Boolean:
            return s.cast(pl.Float64).fill_null(float("nan")).to_numpy()
        return s.to_numpy().astype(object, copy=False)

    def text(j: int) -> Any:
        s = df.to_series(j)
        return s.to_arrow() if s.dtype == pl.String else None

    return Table("polars", cols, df.height, get, text=text)


def from_arrow(table: Any) -> Table:
    import pyarrow as pa

    cols = [str(c) for c in table.schema.names]

    def get(j: int) -> np.ndarray:
        col = table.column(j)
        t = col.type
        if pa.types.is_timestamp(t) or pa.types.is_date(t) or pa.types.is_duration(t):
            # as pandas holds them: numpy's kinds, refused by kind where a number is needed
            return _pandas_column(col.to_pandas(date_as_object=False))
        if pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_boolean(t) or pa.types.is_decimal(t):
            if pa.types.is_float64(t) and col.num_chunks == 1 and col.null_count == 0:
                return col.chunk(0).to_numpy(zero_copy_only=True)
            return col.cast(pa.float64()).to_numpy(zero_copy_only=False)
        return col.to_numpy(zero_copy_only=False).astype(object, copy=False)

    def text(j: int) -> Any:
        col = table.column(j)
        t = col.type
        return col if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t) else None

    return Table("pyarrow", cols, table.num_rows, get, text=text)


def as_table(data: Any) -> Optional[Table]:
    """The :class:`Table` of a pandas / polars DataFrame or a pyarrow Table / RecordBatch
    (anything with ``__arrow_c_stream__`` goes through pyarrow); ``None`` otherwise."""
    mod = type(data).__module__.split(".")[0]
    if mod == "polars" and hasattr(data, "to_series"):
        return from_polars(data)
    if mod == "pyarrow" and hasattr(data, "schema") and hasattr(data, "column"):
        import pyarrow as pa

        if isinstance(data, pa.RecordBatch):
            data = pa.Table.from_batches([data])  # zero-copy: columns become one-chunk arrays
        return from_arrow(data)
    if hasattr(data, "columns") and hasattr(data, "index") and hasattr(data, "iloc"):
        return from_pandas(data)
    if hasattr(data, "__arrow_c_stream__"):
        import pyarrow as pa

        return from_arrow(pa.table(data))
    return None


def warn_all_missing(indicators: Sequence[str], values: Sequence[np.ndarray]) -> None:
    """Warn (:class:`ZhiliWarning`) naming every indicator with no value at all."""
    # a column with a value in its first cell is not empty: the full scan only when it might be
    empty = [c for c, v in zip(indicators, values) if v.size and np.isnan(v[0]) and bool(np.isnan(v).all())]
    if empty:
        shown = ", ".join(f"`{c}`" for c in empty[:10]) + (f" and {len(empty) - 10} more" if len(empty) > 10 else "")
        warnings.warn(
            f"no value at all in indicator{'s' if len(empty) > 1 else ''} {shown}: every score that depends on "
            f"{'them' if len(empty) > 1 else 'it'} is missing (NaN) unless a step imputes it · 指标 {shown} 全部缺失",
            ZhiliWarning,
            stacklevel=4,
        )
