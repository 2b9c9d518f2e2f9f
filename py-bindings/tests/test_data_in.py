"""Data in from every library: polars DataFrames and pyarrow Tables / RecordBatches score
exactly as the same data in pandas (the path checked against COINr elsewhere), float
columns are read without copying, and results come back in the caller's library."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import zhili

SAMPLE = zhili.datasets.load()
# A pipeline with a group step: group columns (text) and numeric extras travel too.
PIPE = SAMPLE.pipeline


def _same(a: zhili.Results, b: zhili.Results) -> None:
    assert a.unit_ids == b.unit_ids
    np.testing.assert_array_equal(a.scores_array(), b.scores_array())  # bit for bit, NaN where NaN
    np.testing.assert_array_equal(a.ranks_array(), b.ranks_array())


def _score(data: object, **kw: object) -> zhili.Results:
    return zhili.score(SAMPLE.framework, data, PIPE, unit=SAMPLE.unit, names=SAMPLE.names, time=SAMPLE.time, **kw)


@pytest.fixture(scope="module")
def reference() -> zhili.Results:
    return _score(SAMPLE.data)


def test_polars_equals_pandas(reference: zhili.Results) -> None:
    res = _score(pl.from_pandas(SAMPLE.data))
    _same(res, reference)
    assert res.output == "polars"
    scores = res.scores
    assert isinstance(scores, pl.DataFrame)
    assert scores.columns[0] == SAMPLE.unit  # units in a leading column (polars has no index)
    np.testing.assert_array_equal(scores.drop(scores.columns[:2]).to_numpy(), reference.scores.to_numpy())


def test_pyarrow_table_and_batch_equal_pandas(reference: zhili.Results) -> None:
    table = pa.Table.from_pandas(SAMPLE.data, preserve_index=False)
    _same(_score(table), reference)
    _same(_score(table.to_batches(max_chunksize=10**9)[0]), reference)
    # several chunks per column: still the same numbers
    _same(_score(pa.concat_tables([table.slice(0, 7), table.slice(7)])), reference)


def test_arrow_nulls_are_missing_values() -> None:
    fw = zhili.Framework.from_dict({"version": 1, "nodes": [{"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i"}]})
    pipe = [zhili.steps.Impute("mean"), zhili.steps.Aggregate("arithmetic")]
    pdf = pd.DataFrame({"unit": ["x", "y", "z"], "a": [1.0, np.nan, 3.0], "b": [4, 5, 6]})
    want = zhili.score(fw, pdf, pipe).scores_array()
    table = pa.table({"unit": ["x", "y", "z"], "a": pa.array([1.0, None, 3.0]), "b": pa.array([4, 5, 6], pa.int32())})
    np.testing.assert_array_equal(zhili.score(fw, table, pipe).scores_array(), want)
    plf = pl.DataFrame({"unit": ["x", "y", "z"], "a": [1.0, None, 3.0], "b": pl.Series([4, None, 6]).fill_null(5)})
    np.testing.assert_array_equal(zhili.score(fw, plf, pipe).scores_array(), want)


def test_output_option(reference: zhili.Results) -> None:
    res = _score(SAMPLE.data, output="polars")
    assert isinstance(res.ranks, pl.DataFrame) and isinstance(res.ranking(), pl.DataFrame)
    assert isinstance(res.log, pl.DataFrame) and isinstance(res.stage("raw"), pl.DataFrame)
    assert isinstance(_score(pl.from_pandas(SAMPLE.data), output="pandas").scores, pd.DataFrame)
    with pytest.raises(zhili.ZhiliError, match="output"):
        _score(SAMPLE.data, output="excel")


def test_arrow_float_column_is_not_copied() -> None:
    from zhili._data import as_table

    table = pa.table({"unit": ["x", "y"], "a": [1.0, 2.0]})
    col = as_table(table).column("a")  # type: ignore[union-attr]
    assert col.ctypes.data == table.column("a").chunk(0).buffers()[1].address
    frame = pl.DataFrame({"unit": ["x", "y"], "a": [1.0, 2.0]})
    assert not as_table(frame).column("a").flags.owndata  # type: ignore[union-attr]
    pdf = pd.DataFrame({"unit": ["x", "y"], "a": [1.0, 2.0], "b": [3.0, 4.0]})
    assert np.shares_memory(as_table(pdf).column("a"), pdf["a"].to_numpy())  # type: ignore[union-attr]
