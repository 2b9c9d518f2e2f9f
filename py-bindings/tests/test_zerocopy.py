"""Float columns reach the engine without a copy (issue #18, "Arrow in"): memory, the
results against an owned copy of the same data, and in-place writes after `score`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import zhili

PROBE = Path(__file__).with_name("rss_probe.py")
FW = zhili.Framework.from_dict(
    {"version": 1, "nodes": [{"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i", "direction": "cost"}]}
)
PIPE = [zhili.steps.Impute("mean"), zhili.steps.Normalise("minmax", lo=0.0, hi=100.0), zhili.steps.Aggregate("arithmetic")]


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"unit": ["x", "y", "z", "w"], "a": [1.0, np.nan, 3.0, 7.5], "b": [4.0, 2.0, 9.0, 1.0]})


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux peak-RSS reset")
@pytest.mark.parametrize(
    "lib, mode", [("pandas", "streaming"), ("polars", "streaming"), ("pyarrow", "streaming"), ("numpy", "streaming"), ("pandas", "default")]
)
def test_a_float_table_is_not_copied(lib: str, mode: str) -> None:
    # 100,000 units × 335 indicators = 268 MB of floats (the 1 GB figures are
    # benches/python_memory.py's). One copy of the values would grow the peak by ≥ 1× the
    # floats; without it the call needs its results (the default call keeps every node's
    # scores: a matrix as large as the table) plus far less than half the floats (unit
    # ids, a column of scratch, the log, ranks).
    out = subprocess.run([sys.executable, str(PROBE), lib, "100000", mode, "335"], check=True, capture_output=True, text=True).stdout
    r = json.loads(out)
    assert r["growth"] - r["results"] < 0.5 * r["floats"], r


def test_shared_input_scores_as_a_copy() -> None:
    df = _frame()
    ref = zhili.score(FW, df.copy(deep=True), PIPE, unit="unit", keep_stages=True)
    for data in (df, pl.from_pandas(df), pa.Table.from_pandas(df, preserve_index=False)):
        for keep in (None, False, True):
            got = zhili.score(FW, data, PIPE, unit="unit", keep_stages=keep)
            cols = [ref.node_ids.index(n) for n in got.node_ids]  # keep_stages=False: aggregates only
            np.testing.assert_array_equal(got.scores_array(), ref.scores_array()[:, cols])
    matrix = np.asfortranarray(df[["a", "b"]].to_numpy())
    got = zhili.score(FW, matrix, PIPE, unit_ids=list(df["unit"]), columns=["a", "b"])
    np.testing.assert_array_equal(got.scores_array(), ref.scores_array())
    np.testing.assert_array_equal(got.stage("imputed").to_numpy(), ref.stage("imputed").to_numpy())


def test_data_written_in_place_after_score_is_refused() -> None:
    df = _frame()
    res = zhili.score(FW, df, PIPE, unit="unit")
    first = res.scores_array().copy()
    df.loc[0, "a"] = 100.0  # pandas writes into the block the results share
    assert df.loc[0, "a"] == 100.0
    with pytest.raises(zhili.DataError, match="changed in place"):
        res.stage("normalised")
    np.testing.assert_array_equal(res.scores_array(), first)  # computed before the write
    # stages kept eagerly are computed before the call returns, and stay right
    df = _frame()
    eager = zhili.score(FW, df, PIPE, unit="unit", keep_stages=True)
    df.loc[0, "a"] = 100.0
    assert eager.stage("raw").loc["x", "a"] == 1.0
    # an unchanged frame builds its stages lazily, equal to the eager ones
    df = _frame()
    lazy = zhili.score(FW, df, PIPE, unit="unit")
    pd.testing.assert_frame_equal(lazy.stage("normalised"), zhili.score(FW, df, PIPE, unit="unit", keep_stages=True).stage("normalised"))
