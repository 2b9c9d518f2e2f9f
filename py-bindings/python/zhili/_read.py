"""``zhili.read_csv`` / ``read_excel`` / ``read_parquet``: data files into pandas through
zhili's Rust readers (the same cell rules and errors as the ``zhili`` command line)."""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Any, Dict, Optional

import numpy as np

from . import _native
from ._compat import pandas as _pandas
from ._framework import PathLike

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# Integers above 2**53 are not exact in float64: such columns stay float64.
_EXACT = float(2**53)


def _frame(path: PathLike, sheet: Optional[str] = None, encoding: Optional[str] = None) -> "pd.DataFrame":
    """A DataFrame of every named column of a data file (see :func:`read_csv`)."""
    pd = _pandas()

    arrow_text = _arrow_text(pd)
    names, columns, enc = _native.read_table(os.fspath(path), sheet=sheet, encoding=encoding, arrow_text=arrow_text)
    data: Dict[str, Any] = {}
    for name, col in zip(names, columns):
        if isinstance(col, np.ndarray):
            finite = np.isfinite(col)
            whole = finite.all() and bool((col == np.round(col)).all()) and bool((np.abs(col) < _EXACT).all())
            data[name] = col.astype(np.int64) if len(col) and whole else col
        elif arrow_text:
            # the reader's Arrow strings, wrapped as pandas' ``str`` dtype: no object per cell
            import pyarrow as pa

            text = pa.Array._import_from_c_capsule(*col).to_pandas()
            data[name] = text if len(text) else pd.Series([], dtype=object)
        else:
            # a list, so pandas picks its text dtype (object, or str in pandas 3) as read_csv does
            data[name] = pd.Series([np.nan if v is None else v for v in col], dtype=None if col else object)
    # the reader's arrays as they are (no consolidating copy); zhili.score then shares them
    df = pd.DataFrame(data, columns=names, copy=False)
    if enc is not None:
        df.attrs["encoding"] = enc
    return df


def _arrow_text(pd: Any) -> bool:
    """Whether text columns can come as Arrow arrays: pandas' text dtype is the Arrow-backed
    ``str`` (pandas ≥ 3, or ``future.infer_string``) and pyarrow is there to import them."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    try:
        return bool(pd.get_option("future.infer_string"))
    except (KeyError, pd.errors.OptionError):
        return False


def read_csv(path: PathLike, encoding: Optional[str] = None, **kwargs: Any) -> "pd.DataFrame":
    """Read a CSV file into a DataFrame with zhili's Rust reader, detecting its encoding
    (UTF-8 with or without BOM, GBK / GB18030 as Chinese Excel writes it, UTF-16 with BOM)
    unless ``encoding`` (a label such as ``"gbk"``, ``"latin1"``) is given. A guess needs
    evidence (at least 16 non-ASCII bytes); otherwise :class:`zhili.ParseError` asks for
    ``encoding=``.

    A column is numeric if every cell is a number or missing (empty, ``NA``, ``N/A``,
    ``#N/A``, ``NaN``, ``nan``, ``-``): ``int64`` if every value is a whole number and none
    is missing, else ``float64``; any other column is text (missing = NaN). Cells are
    trimmed. The encoding read is in ``df.attrs["encoding"]``. An undecidable encoding or a
    malformed row raises :class:`zhili.ParseError` naming the file, line and column.

    Other keyword arguments go to :func:`pandas.read_csv`, which then parses the text the
    Rust reader decoded.

    >>> import tempfile, os, zhili
    >>> d = tempfile.mkdtemp()
    >>> p = os.path.join(d, "gbk.csv")
    >>> with open(p, "wb") as f:
    ...     _ = f.write("区县,得分\\n五华区,1.5\\n盘龙区,2.5\\n".encode("gbk"))
    >>> df = zhili.read_csv(p)
    >>> df.attrs["encoding"], df.columns.tolist(), df.iloc[0, 0], float(df.iloc[0, 1])
    ('gb18030', ['区县', '得分'], '五华区', 1.5)
    """
    if not kwargs:
        return _frame(path, encoding=encoding)
    pd = _pandas()

    if encoding is None:
        text, enc = _native.read_text(os.fspath(path))
    else:
        with open(os.fspath(path), "rb") as f:
            raw = f.read()
        try:
            text, enc = raw.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as e:
            raise _native.ParseError(f"{os.fspath(path)}: cannot decode as {encoding}: {e}") from None
    df = pd.read_csv(io.StringIO(text), **kwargs)
    df.attrs["encoding"] = enc
    return df


def read_excel(path: PathLike, sheet: Optional[str] = None) -> "pd.DataFrame":
    """Read a worksheet (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls``, ``.ods``; default the
    first sheet) into a DataFrame with zhili's Rust reader (calamine).

    Columns are typed as in :func:`read_csv`. Text cells holding numbers are read as
    numbers: ``"1,234"``, ``"12%"`` (0.12), full-width ``"１２３"``, ``"－5"``; formulas give
    their cached values; ``#N/A`` is missing. A date in a numeric column, an error cell such
    as ``#DIV/0!`` or a stray text raises :class:`zhili.ParseError` naming file, sheet, row
    and column letter; an unknown sheet raises :class:`zhili.UnknownIdError`.

    >>> import zhili
    >>> zhili.read_excel("missing.xlsx")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    zhili._native.ParseError: missing.xlsx: cannot open
    """
    return _frame(path, sheet=sheet)


def read_parquet(path: PathLike) -> "pd.DataFrame":
    """Read an Apache Parquet file (or an Arrow IPC file: ``.arrow``, ``.feather``,
    ``.ipc``) into a DataFrame with zhili's Rust reader.

    Numeric Arrow types become numbers (typed as in :func:`read_csv`; nulls are NaN),
    strings text; other types raise :class:`zhili.ParseError` naming file and column.
    """
    return _frame(path)
