"""``zhili.score``: data in (pandas or numpy), results out."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _native, _params
from ._compat import pandas as _pandas
from ._data import Table, as_table, data_error, float_values, from_pandas, refuse_kind, texts, warn_all_missing
from ._framework import Framework, PathLike
from ._pipeline import Pipeline
from ._read import _frame
from ._results import Results
from .steps import Step

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

_UNIT_COLUMNS = ("unit", "unit_id", "uCode", "code", "id")
_NAME_COLUMNS = ("name", "unit_name", "uName")


def _as_framework(fw: Any) -> Framework:
    if isinstance(fw, Framework):
        return fw
    if isinstance(fw, (str, os.PathLike)):
        p = os.fspath(fw)
        if p.lower().endswith(".json"):
            return Framework.from_json(p)
        if p.lower().endswith(".csv"):
            return Framework.from_coinr(p)
        return Framework.from_toml(p)
    if isinstance(fw, Mapping):
        return Framework.from_dict(fw)
    raise TypeError(f"framework must be a zhili.Framework, a path or a dict, not {type(fw).__name__}")


def _as_pipeline(p: Any) -> Pipeline:
    if p is None:
        return Pipeline.default()
    if isinstance(p, Pipeline):
        return p
    if isinstance(p, (str, os.PathLike)):
        s = os.fspath(p)
        return Pipeline.from_json(s) if s.lower().endswith(".json") else Pipeline.from_toml(s)
    if isinstance(p, Mapping):
        return Pipeline.from_dict(p)
    if isinstance(p, (list, tuple)) and all(isinstance(s, (Step, Mapping)) for s in p):
        return Pipeline(p)
    raise TypeError(f"pipeline must be a zhili.Pipeline, a list of steps, a path or a dict, not {type(p).__name__}")


def _years(table: Table, time: str) -> List[int]:
    """The distinct years of a panel's ``time`` column, ascending."""
    t = float_values(table.column(time), time, [str(k + 1) for k in range(table.nrows)])
    return sorted({int(v) for v in np.unique(t[~np.isnan(t)])})


def _select_year(table: Table, time: str, year: Optional[int]) -> Table:
    """Panel data, one rule everywhere (as ``zhili score --year`` and Rust's
    ``Dataset::select_year``): the rows of ``year``, else of the latest year."""
    years = _years(table, time)
    if not years:
        return table
    y = years[-1] if year is None else year
    if isinstance(y, bool) or not isinstance(y, (int, np.integer)):
        raise TypeError(f"year must be an int, None (the latest) or 'all', not {y!r}")
    if int(y) not in years:
        err = _native.UnknownIdError(f"unknown time `{y}` (the data has {', '.join(map(str, years))})")
        err.what, err.id, err.context = "time", str(y), f"the data has {', '.join(map(str, years))}"  # type: ignore[attr-defined]
        raise err
    t = float_values(table.column(time), time, [str(k + 1) for k in range(table.nrows)])
    return table.rows(t == int(y))


def _unit_ids(table: Table, unit: Optional[str]) -> Tuple[Any, Optional[str]]:
    """Unit ids from the ``unit`` column, else the row labels (pandas' index): an Arrow
    string array where the column is one (read in Rust), else a list of ``str``."""
    pd = _pandas()

    label: Optional[str] = unit
    if unit is not None:
        arrow = table.arrow_text(unit)
        if arrow is not None:
            if arrow.null_count:
                k = next(i for i, v in enumerate(arrow.is_null().to_pylist()) if v)
                raise data_error(f"missing unit id in row {k + 1} of column `{unit}`", column=unit)
            return arrow, unit
        ids = table.column(unit)
    else:
        index = table.index()
        if index is None:
            raise _native.MissingColumnError(
                f"no unit column: none of {', '.join(f'`{c}`' for c in _UNIT_COLUMNS)} is in the data "
                f"({table.kind} has no row labels); name one with unit= · 数据中没有单位列，请用 unit= 指定"
            )
        ids, label = index, table.index_name
    missing = pd.isna(ids)
    if missing.any():
        k = int(np.flatnonzero(missing)[0])
        raise data_error(f"missing unit id in row {k + 1} of column `{label or 'index'}`", column=label or "index")
    if ids.dtype.kind == "O" and pd.api.types.infer_dtype(ids, skipna=False) == "string":
        return ids.tolist(), label
    return [str(u) for u in ids.tolist()], label


def _from_frame(
    table: Table,
    fw: Framework,
    unit: Optional[str],
    names: Optional[str],
    time: Optional[str],
    year: Optional[int] = None,
) -> Tuple[Dict[str, Any], Optional[str], Optional[Dict[str, str]]]:
    cols = table.columns
    if time is not None:
        if time not in table:
            raise _native.MissingColumnError(f"missing column `{time}` (needed by the time= argument of zhili.score)")
        table = _select_year(table, time, year)
    elif year is not None:
        raise _native.DataError(f"year={year!r} given but no time= column names the years of the data")
    if unit is None:
        unit = next((c for c in _UNIT_COLUMNS if c in table), None)
    elif unit not in table:
        err = _native.MissingColumnError(f"missing column `{unit}` (needed by the unit= argument of zhili.score)")
        err.column, err.needed_by = unit, "unit="  # type: ignore[attr-defined]
        raise err
    unit_ids, unit_label = _unit_ids(table, unit)

    if names is None:
        names = next((c for c in _NAME_COLUMNS if c in table and c != unit), None)
    elif names not in table:
        raise _native.MissingColumnError(f"missing column `{names}` (needed by the names= argument of zhili.score)")

    indicators = set(fw.indicator_ids)
    present = [c for c in fw.indicator_ids if c in table]
    special = {unit, names, time}
    # One float64 array per indicator column: float columns are handed over in place (a view
    # of the DataFrame's block or the Arrow buffer); the engine copies them once, with the
    # GIL released.
    values: Any = [float_values(table.column(c), c, unit_ids) for c in present]
    warn_all_missing(present, values)
    if not values:
        values = np.empty((table.nrows, 0), dtype=np.float64)

    groups: Dict[str, List[Optional[str]]] = {}
    numeric: Dict[str, np.ndarray] = {}
    for c in cols:
        if c in indicators or c in special:
            continue
        col = table.column(c)
        if col.dtype.kind in "fiu":
            numeric[c] = col.astype(np.float64, copy=False)
        elif col.dtype.kind == "c":
            refuse_kind(col, c)
        else:
            groups[c] = texts(col)

    kw: Dict[str, Any] = {
        "unit_ids": unit_ids,
        "indicator_ids": present,
        "values": values,
        "groups": groups,
        "numeric": numeric,
    }
    unit_names = None
    if names is not None:
        kw["unit_names"] = [n or "" for n in texts(table.column(names))]
        ids = unit_ids if isinstance(unit_ids, list) else unit_ids.to_pylist()
        unit_names = dict(zip(ids, kw["unit_names"]))
    if time is not None:
        kw["time"] = [int(t) for t in float_values(table.column(time), time, unit_ids)]
    return kw, unit_label, unit_names


def _from_array(
    data: Any,
    fw: Framework,
    unit_ids: Optional[Sequence[Any]],
    columns: Optional[Sequence[str]],
    groups: Optional[Mapping[str, Sequence[Any]]],
    numeric: Optional[Mapping[str, Any]],
) -> Dict[str, Any]:
    """numpy (or nested lists): units × indicators, names from ``unit_ids`` / ``columns``."""
    arr = np.asarray(data) if isinstance(data, np.ndarray) else np.asarray(data, dtype=object)
    if arr.ndim != 2:
        raise _native.ShapeError(f"shape mismatch in data: expected a 2-D array (units × indicators), found {arr.ndim}-D")
    ids = [str(u) for u in (unit_ids if unit_ids is not None else range(arr.shape[0]))]
    cols = [str(c) for c in (columns if columns is not None else fw.indicator_ids)]
    values: Any
    if arr.dtype == np.float64:
        values = arr
    elif arr.dtype.kind in "fiub":
        values = arr.astype(np.float64)
    else:
        if arr.shape[1] != len(cols):
            raise _native.ShapeError(
                f"shape mismatch in data: expected {len(cols)} indicator columns, found {arr.shape[1]}"
            )
        values = [float_values(arr[:, j], c, ids) for j, c in enumerate(cols)]
    if isinstance(values, list):
        warn_all_missing(cols, values)
    elif values.size and values.shape[1] == len(cols):
        warn_all_missing(cols, list(values.T))
    return {
        "unit_ids": ids,
        "indicator_ids": cols,
        "values": values,
        "groups": {k: texts(np.asarray(v, dtype=object)) for k, v in (groups or {}).items()},
        "numeric": {k: float_values(np.asarray(v), k, ids).astype(np.float64, copy=False) for k, v in (numeric or {}).items()},
    }


def _data_kwargs(
    fw: Framework,
    data: Any,
    *,
    unit: Optional[str] = None,
    names: Optional[str] = None,
    time: Optional[str] = None,
    year: Optional[int] = None,
    unit_ids: Optional[Sequence[Any]] = None,
    columns: Optional[Sequence[str]] = None,
    groups: Optional[Mapping[str, Sequence[Any]]] = None,
    numeric: Optional[Mapping[str, Any]] = None,
    sheet: Optional[str] = None,
) -> Tuple[Dict[str, Any], Optional[str], Optional[Dict[str, str]]]:
    """The dataset arguments of the native functions (see :func:`score` for the inputs;
    panel data is reduced to ``year``, default the latest)."""
    unit_label: Optional[str] = unit
    unit_names: Optional[Dict[str, str]] = None
    if isinstance(data, (str, os.PathLike)):
        where = os.fspath(data) + (f", sheet {sheet}" if sheet is not None else "")
        frame = _frame(data, sheet=sheet)
        try:
            return _from_frame(from_pandas(frame), fw, unit, names, time, year)
        except _native.DataError as e:
            # The Rust reader names sheet, row and column of the first bad cell; the
            # frame's own errors know only column and unit. Re-read only on this path.
            _native.check_dataset(fw._inner, os.fspath(data), sheet=sheet, unit=unit)
            err = type(e)(f"{where}: {e}")
            err.__dict__.update(getattr(e, "__dict__", {}))
            raise err from None
    table = as_table(data)
    if table is not None:
        kw, unit_label, unit_names = _from_frame(table, fw, unit, names, time, year)
    elif isinstance(data, (np.ndarray, list, tuple)):
        if time is not None or year is not None:
            raise TypeError("time= and year= name DataFrame columns and years; for numpy input build a DataFrame")
        kw = _from_array(data, fw, unit_ids, columns, groups, numeric)
    else:
        raise TypeError(
            "data must be a pandas or polars DataFrame, a pyarrow Table / RecordBatch, a numpy array "
            f"or a data file path, not {type(data).__name__}"
        )
    return kw, unit_label, unit_names


def score(
    framework: Union[Framework, PathLike, Mapping[str, Any]],
    data: Any,
    pipeline: Union[Pipeline, Sequence[Union[Step, Mapping[str, Any]]], PathLike, Mapping[str, Any], None] = None,
    *,
    unit: Optional[str] = None,
    weights: Optional[Mapping[str, float]] = None,
    names: Optional[str] = None,
    time: Optional[str] = None,
    year: Union[int, str, None] = None,
    unit_ids: Optional[Sequence[Any]] = None,
    columns: Optional[Sequence[str]] = None,
    groups: Optional[Mapping[str, Sequence[Any]]] = None,
    numeric: Optional[Mapping[str, Any]] = None,
    keep_stages: Optional[bool] = None,
    sheet: Optional[str] = None,
    output: Optional[str] = None,
) -> Any:
    """Score data with a framework and a pipeline; returns :class:`Results`.

    ``data`` is a pandas or polars DataFrame, a pyarrow Table or RecordBatch (or any
    object with ``__arrow_c_stream__``), a 2-D numpy array (units × indicators, NaN =
    missing) or the path of a data file read by zhili's Rust readers: CSV (:func:`read_csv`), a
    workbook sheet (:func:`read_excel`; ``sheet`` names it, default the first), Parquet or
    Arrow IPC (:func:`read_parquet`).

    DataFrame: units come from the ``unit`` column (default: the first of ``unit``,
    ``unit_id``, ``uCode``, ``code``, ``id`` present, else the index); indicator columns are
    matched by framework id; every other numeric column is available as a denominator /
    covariate, every other text column as a group (e.g. for group-mean imputation);
    ``names`` (default ``name``, ``unit_name`` or ``uName``) gives display names and
    ``time`` a year column for panel data.

    Panel data (``time=``), the same rule as ``zhili score --year`` and Rust's
    ``Bundled::dataset_at``: ``year=None`` scores the latest year, ``year=2022`` that year
    (an unknown year raises :class:`UnknownIdError` listing the years there are), and
    ``year="all"`` scores every year on its own and returns ``{year: Results}`` — ranks are
    within each year, never across unit-years.

    polars / pyarrow: as a DataFrame without row labels (a unit column is needed); float64
    columns without nulls are read in place (no copy; the engine copies once into its
    dataset), null cells are missing values. ``output`` chooses the library of the result
    frames: ``"pandas"`` or ``"polars"`` (default: polars for polars input, else pandas);
    polars frames carry the units in a leading column.

    Cells that are not numbers are refused, never coerced: date / duration / complex
    columns and text (other than numbers written as text) in an indicator column raise
    :class:`DataError` naming the column (and the unit); so do MultiIndex columns,
    duplicate column names and MultiIndex rows used as unit ids. An indicator with no value
    at all gives a :class:`ZhiliWarning` naming it.

    numpy: ``unit_ids`` names the rows (default ``"0"``, ``"1"``, ...), ``columns`` the
    indicator columns (default: the framework's indicators in order), ``groups`` and
    ``numeric`` extra columns by name. A float64 array is read in place, without a copy.

    Stages (``res.stage("treated")``) and the normalised-indicator columns of
    ``res.scores`` are built when first asked for: by default the engine streams each
    indicator column through all steps while it is in cache (the fast path, on every
    core for large data) for the aggregate scores and keeps its inputs; the first access
    to every node's scores, or to a stage, re-runs the pipeline keeping them
    (bit-identical to building them up front; cached). The index and aggregate scores,
    the index ranks and the log are there at once. Data written in place between
    ``score`` and that first access is refused with :class:`DataError`.
    ``keep_stages=True`` builds every stage up front (as a pipeline with a ``screen``
    step always does); ``keep_stages=False`` streams and keeps only the aggregate
    scores, their ranks and the log (no stages, no normalised-indicator columns, no
    inputs kept: the least memory).

    ``weights`` replaces node weights (``{node_id: weight}``, relative to siblings) for
    this run. The GIL is released while the engine computes.

    >>> import numpy as np, zhili
    >>> fw = zhili.Framework.from_dict({"version": 1, "nodes": [
    ...     {"id": "index"}, {"id": "a", "parent": "index"}, {"id": "b", "parent": "index"}]})
    >>> pipe = zhili.Pipeline([zhili.steps.Aggregate("arithmetic")])
    >>> res = zhili.score(fw, np.array([[1.0, 3.0], [2.0, 6.0]]), pipe, unit_ids=["x", "y"])
    >>> res.scores["index"].tolist()
    [2.0, 4.0]
    >>> res.ranks["index"].tolist()
    [2, 1]
    >>> zhili.score(fw, np.array([[1.0, 3.0], [2.0, 6.0]]), pipe, unit_ids=["x", "y"], weights={"b": 3}).index.tolist()
    [2.5, 5.0]
    """
    fw = _as_framework(framework)
    pipe = _as_pipeline(pipeline)
    out = _output(data, output)
    if isinstance(year, str):
        if year != "all":
            raise ValueError(f"year must be an int, None (the latest) or 'all', not {year!r}")
        if isinstance(data, (str, os.PathLike)):
            data = _frame(data, sheet=sheet)
        table = as_table(data)
        if time is None or table is None:
            raise _native.DataError("year='all' needs a DataFrame with a time= column (the years of a panel)")
        if time not in table:
            raise _native.MissingColumnError(f"missing column `{time}` (needed by the time= argument of zhili.score)")
        return {
            y: score(
                fw, data, pipe, unit=unit, weights=weights, names=names, time=time, year=y, keep_stages=keep_stages, output=out
            )
            for y in _years(table, time)
        }
    kw, unit_label, unit_names = _data_kwargs(
        fw,
        data,
        unit=unit,
        names=names,
        time=time,
        year=year,
        unit_ids=unit_ids,
        columns=columns,
        groups=groups,
        numeric=numeric,
        sheet=sheet,
    )
    w = _params.weights("weights", weights)
    if keep_stages is not None:
        keep_stages = _params.flag("keep_stages", keep_stages)
    run = _native.score(fw._inner, pipe._inner, weights=w, keep_stages=keep_stages, **kw)
    return Results(run, unit_name=unit_label, unit_names=unit_names, output=out)


def _output(data: Any, output: Optional[str]) -> str:
    """The result frames' library: as asked, else polars for polars input, else pandas."""
    if output is None:
        return "polars" if type(data).__module__.split(".")[0] == "polars" else "pandas"
    if output not in ("pandas", "polars"):
        err = _native.DataError(f"output must be 'pandas' or 'polars', not {output!r} · output 只能是 'pandas' 或 'polars'")
        err.parameter, err.value = "output", output  # type: ignore[attr-defined]
        raise err
    return output
