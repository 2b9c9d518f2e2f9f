"""Issue 19, class 6 (the data side): what is not a number is refused naming the column
(and the unit), never coerced; shapes pandas can hold but zhili cannot read are refused
with the fix; an indicator without any value warns."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import zhili

FW = zhili.Framework.from_dict(
    {"version": 1, "nodes": [{"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i"}]}
)
AGG = [zhili.steps.Aggregate("arithmetic")]


def frame(**over: Any) -> pd.DataFrame:
    df = pd.DataFrame({"unit": ["x", "y", "z"], "a": [1.0, 2.0, 3.0], "b": [4.0, 5.0, 6.0]})
    for k, v in over.items():
        df[k] = v
    return df


DATES = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])
CASES: list[tuple[str, Callable[[], Any], str]] = [
    ("datetime64", lambda: frame(b=DATES), "column `b` holds dates"),
    ("datetime_tz", lambda: frame(b=DATES.tz_localize("Asia/Shanghai")), "column `b` holds dates"),
    ("timedelta64", lambda: frame(b=pd.to_timedelta([1, 2, 3], unit="D")), "column `b` holds durations"),
    ("complex", lambda: frame(a=np.array([1 + 2j, 2, 3])), "column `a` holds complex"),
    ("mixed_object", lambda: frame(b=np.array([1.5, "high", 3], dtype=object)), "column `b` is not numeric: `high` for unit `y`"),
    ("date_objects", lambda: frame(a=np.array([1.0, DATES[0].date(), 2.0], dtype=object)), "for unit `y`"),
    ("polars_dates", lambda: pl.from_pandas(frame()).with_columns(pl.Series("a", DATES)), "column `a` holds dates"),
    ("polars_text", lambda: pl.from_pandas(frame(a=["1", "n/a", "3"])), "`n/a` for unit `y`"),
    (
        "arrow_duration",
        lambda: pa.table({"unit": ["x", "y", "z"], "a": pa.array([1, 2, 3], pa.duration("s")), "b": [1.0, 2.0, 3.0]}),
        "column `a` holds durations",
    ),
    ("arrow_text", lambda: pa.table({"unit": ["x", "y", "z"], "a": ["1", "2", "lots"], "b": [1.0, 2.0, 3.0]}), "`lots` for unit `z`"),
    ("multiindex_columns", lambda: pd.DataFrame(np.ones((2, 2)), columns=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)])), "MultiIndex columns"),
    ("duplicate_columns", lambda: pd.concat([frame(), frame()[["a"]]], axis=1), "duplicate column `a`"),
    (
        "multiindex_rows",
        lambda: frame().drop(columns="unit").set_index(pd.MultiIndex.from_tuples([("x", 1), ("y", 1), ("z", 1)], names=["u", "t"])),
        "MultiIndex",
    ),
    ("no_unit_column_arrow", lambda: pa.table({"a": [1.0], "b": [2.0]}), "unit="),
]


@pytest.mark.parametrize("make,culprit", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_naming_the_culprit(make: Callable[[], Any], culprit: str) -> None:
    with pytest.raises(zhili.DataError) as e:
        zhili.score(FW, make(), AGG)
    assert culprit in str(e.value), str(e.value)


def test_error_attributes_name_column_and_unit() -> None:
    with pytest.raises(zhili.DataError) as e:
        zhili.score(FW, frame(b=np.array([1.5, "high", 3], dtype=object)), AGG)
    assert (e.value.column, e.value.unit) == ("b", "y")  # type: ignore[attr-defined]


NUMPY_CASES: list[tuple[str, np.ndarray, str]] = [
    ("strings", np.array([["1", "2"], ["3", "many"]]), "column `b` is not numeric: `many` for unit `1`"),
    ("datetimes", np.array([["2024-01-01", "2024-01-02"]] * 2, dtype="M8[D]"), "column `a` holds dates"),
    ("complex", np.ones((2, 2), dtype=complex), "column `a` holds complex"),
    ("objects", np.array([[1.0, None], [object(), 2.0]], dtype=object), "column `a` is not numeric"),
]


@pytest.mark.parametrize("arr,culprit", [c[1:] for c in NUMPY_CASES], ids=[c[0] for c in NUMPY_CASES])
def test_numpy_arrays_refused(arr: np.ndarray, culprit: str) -> None:
    with pytest.raises(zhili.DataError) as e:
        zhili.score(FW, arr, AGG)
    assert culprit in str(e.value), str(e.value)


def test_numbers_written_as_text_are_numbers() -> None:
    # the CSV rule: "1.5" in a text column is the number 1.5 (pandas, numpy and Arrow alike)
    want = zhili.score(FW, frame(), AGG).scores_array()
    got = zhili.score(FW, frame(a=["1", "2", "3"]), AGG).scores_array()
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(zhili.score(FW, np.array([["1", "4"], ["2", "5"], ["3", "6"]]), AGG).scores_array(), want)


def test_all_missing_indicator_warns_naming_it() -> None:
    with pytest.warns(zhili.ZhiliWarning, match="`a`"):
        res = zhili.score(FW, frame(a=[np.nan] * 3), AGG)
    # the weight of `a` is re-normalised away (documented), so the index is b's mean
    np.testing.assert_array_equal(res.scores_array()[:, 0], [4.0, 5.0, 6.0])
    with pytest.warns(zhili.ZhiliWarning, match="`a`, `b`"):
        zhili.score(FW, np.full((2, 2), np.nan), AGG)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zhili.score(FW, frame(a=[np.nan, 1.0, np.nan]), AGG)  # one value is enough: no warning


def test_nullable_and_integer_columns() -> None:
    want = zhili.score(FW, frame(a=[1.0, np.nan, 3.0]), AGG).scores_array()
    got = zhili.score(FW, frame(a=pd.array([1, None, 3], dtype="Int64")), AGG).scores_array()
    np.testing.assert_array_equal(got, want)
    assert issubclass(zhili.ZhiliWarning, UserWarning)
