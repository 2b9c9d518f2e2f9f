"""``zhili.score``: data in (pandas or numpy), results out."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _native, _params
from ._compat import pandas as _pandas
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


def _texts(values: Any, what: str) -> List[Optional[str]]:
    out: List[Optional[str]] = []
    for v in values:
        if v is None or (isinstance(v, float) and v != v):
            out.append(None)
        else:
            out.append(str(v))
    return out


def _float_column(col: Any, name: str, units: Sequence[str]) -> np.ndarray:
    pd = _pandas()

    if col.dtype == np.float64:
        return col.to_numpy(copy=False)
    if pd.api.types.is_bool_dtype(col.dtype) or not pd.api.types.is_numeric_dtype(col.dtype):
        conv = pd.to_numeric(col, errors="coerce")
        bad = conv.isna() & col.notna()
        if bad.any():
            k = int(np.flatnonzero(bad.to_numpy())[0])
            err = _native.DataError(
                f"column `{name}` is not numeric: `{col.iloc[k]}` for unit `{units[k]}` "
                "(use NaN or an empty cell for a missing value)"
            )
            err.column = name  # type: ignore[attr-defined]
            err.unit = units[k]  # type: ignore[attr-defined]
            raise err
        col = conv
    return np.asarray(col.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)


def _years(df: "pd.DataFrame", time: str) -> List[int]:
    """The distinct years of a panel's ``time`` column, ascending."""
    return sorted({int(t) for t in df[time].dropna()})


def _select_year(df: "pd.DataFrame", time: str, year: Optional[int]) -> "pd.DataFrame":
    """Panel data, one rule everywhere (as ``zhili score --year`` and Rust's
    ``Dataset::select_year``): the rows of ``year``, else of the latest year."""
    years = _years(df, time)
    if not years:
        return df
    y = years[-1] if year is None else year
    if isinstance(y, bool) or not isinstance(y, (int, np.integer)):
        raise TypeError(f"year must be an int, None (the latest) or 'all', not {y!r}")
    if int(y) not in years:
        err = _native.UnknownIdError(f"unknown time `{y}` (the data has {', '.join(map(str, years))})")
        err.what, err.id, err.context = "time", str(y), f"the data has {', '.join(map(str, years))}"  # type: ignore[attr-defined]
        raise err
    return df[df[time].to_numpy() == int(y)]


def _from_frame(
    df: "pd.DataFrame",
    fw: Framework,
    unit: Optional[str],
    names: Optional[str],
    time: Optional[str],
    year: Optional[int] = None,
) -> Tuple[Dict[str, Any], Optional[str], Optional[Dict[str, str]]]:
    pd = _pandas()

    cols = [str(c) for c in df.columns]
    if len(set(cols)) != len(cols):
        dup = next(c for c in cols if cols.count(c) > 1)
        raise _native.DataError(f"duplicate column `{dup}` in the data")
    df = df.set_axis(cols, axis=1)
    if time is not None:
        if time not in cols:
            raise _native.MissingColumnError(f"missing column `{time}` (needed by the time= argument of zhili.score)")
        df = _select_year(df, time, year)
    elif year is not None:
        raise _native.DataError(f"year={year!r} given but no time= column names the years of the data")
    if unit is None:
        unit = next((c for c in _UNIT_COLUMNS if c in cols), None)
    if unit is not None:
        if unit not in cols:
            err = _native.MissingColumnError(f"missing column `{unit}` (needed by the unit= argument of zhili.score)")
            err.column, err.needed_by = unit, "unit="  # type: ignore[attr-defined]
            raise err
        ucol = df[unit]
        unit_label: Optional[str] = unit
    else:
        ucol = pd.Series(df.index, index=df.index)
        unit_label = df.index.name
    if ucol.isna().any():
        k = int(np.flatnonzero(ucol.isna().to_numpy())[0])
        raise _native.DataError(f"missing unit id in row {k + 1} of column `{unit_label or 'index'}`")
    if pd.api.types.infer_dtype(ucol, skipna=False) == "string":
        unit_ids = ucol.tolist()
    else:
        unit_ids = ucol.astype(str).tolist()

    if names is None:
        names = next((c for c in _NAME_COLUMNS if c in cols and c != unit), None)
    elif names not in cols:
        raise _native.MissingColumnError(f"missing column `{names}` (needed by the names= argument of zhili.score)")

    indicators = set(fw.indicator_ids)
    present = [c for c in fw.indicator_ids if c in cols]
    special = {unit, names, time}
    # One float64 array per indicator column: float columns are handed over in place (a view
    # of the DataFrame's block); the engine copies them once, with the GIL released.
    values = [_float_column(df[c], c, unit_ids) for c in present]
    if not values:
        values = np.empty((len(df), 0), dtype=np.float64)  # type: ignore[assignment]

    groups: Dict[str, List[Optional[str]]] = {}
    numeric: Dict[str, np.ndarray] = {}
    for c in cols:
        if c in indicators or c in special:
            continue
        col = df[c]
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            numeric[c] = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            groups[c] = _texts(col.to_numpy(dtype=object), c)

    kw: Dict[str, Any] = {
        "unit_ids": unit_ids,
        "indicator_ids": present,
        "values": values,
        "groups": groups,
        "numeric": numeric,
    }
    unit_names = None
    if names is not None:
        nm = _texts(df[names].to_numpy(dtype=object), names)
        kw["unit_names"] = [n or "" for n in nm]
        unit_names = dict(zip(unit_ids, kw["unit_names"]))
    if time is not None:
        kw["time"] = [int(t) for t in df[time]]
    return kw, unit_label, unit_names


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
            return _from_frame(frame, fw, unit, names, time, year)
        except _native.DataError as e:
            # The Rust reader names sheet, row and column of the first bad cell; the
            # frame's own errors know only column and unit. Re-read only on this path.
            _native.check_dataset(fw._inner, os.fspath(data), sheet=sheet, unit=unit)
            err = type(e)(f"{where}: {e}")
            err.__dict__.update(getattr(e, "__dict__", {}))
            raise err from None
    if isinstance(data, np.ndarray) or (isinstance(data, (list, tuple)) and not hasattr(data, "columns")):
        arr = np.asarray(data, dtype=np.float64)
        if arr.ndim != 2:
            raise _native.ShapeError(f"shape mismatch in data: expected a 2-D array (units × indicators), found {arr.ndim}-D")
        ids = [str(u) for u in (unit_ids if unit_ids is not None else range(arr.shape[0]))]
        cols = list(columns) if columns is not None else fw.indicator_ids
        kw: Dict[str, Any] = {
            "unit_ids": ids,
            "indicator_ids": [str(c) for c in cols],
            "values": arr,
            "groups": {k: _texts(v, k) for k, v in (groups or {}).items()},
            "numeric": {k: np.asarray(v, dtype=np.float64) for k, v in (numeric or {}).items()},
        }
        if time is not None or year is not None:
            raise TypeError("time= and year= name DataFrame columns and years; for numpy input build a DataFrame")
    elif hasattr(data, "columns") and hasattr(data, "index"):
        kw, unit_label, unit_names = _from_frame(data, fw, unit, names, time, year)
    else:
        raise TypeError(f"data must be a pandas DataFrame, a numpy array or a data file path, not {type(data).__name__}")
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
) -> Any:
    """Score data with a framework and a pipeline; returns :class:`Results`.

    ``data`` is a pandas DataFrame, a 2-D numpy array (units × indicators, NaN = missing)
    or the path of a data file read by zhili's Rust readers: CSV (:func:`read_csv`), a
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

    numpy: ``unit_ids`` names the rows (default ``"0"``, ``"1"``, ...), ``columns`` the
    indicator columns (default: the framework's indicators in order), ``groups`` and
    ``numeric`` extra columns by name. A float64 array is read in place, without a copy.

    Stages (``res.stage("treated")``) are built when first asked for: by default the
    engine streams each indicator column through all steps while it is in cache (the
    fast path) and keeps its inputs, and the first access to a stage re-runs the
    pipeline keeping every stage (bit-identical to building them up front; cached).
    Scores, ranks and the log are there at once. ``keep_stages=True`` builds every stage
    up front (as a pipeline with a ``screen`` step always does); ``keep_stages=False``
    streams and keeps only the aggregate scores, their ranks and the log (no stages, no
    normalised-indicator columns, no inputs kept: the least memory).

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
    if isinstance(year, str):
        if year != "all":
            raise ValueError(f"year must be an int, None (the latest) or 'all', not {year!r}")
        if isinstance(data, (str, os.PathLike)):
            data = _frame(data, sheet=sheet)
        if time is None or not hasattr(data, "columns"):
            raise _native.DataError("year='all' needs a DataFrame with a time= column (the years of a panel)")
        if time not in [str(c) for c in data.columns]:
            raise _native.MissingColumnError(f"missing column `{time}` (needed by the time= argument of zhili.score)")
        return {
            y: score(fw, data, pipe, unit=unit, weights=weights, names=names, time=time, year=y, keep_stages=keep_stages)
            for y in _years(data, time)
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
    return Results(run, unit_name=unit_label, unit_names=unit_names)
