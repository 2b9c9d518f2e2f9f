"""The default ``zhili.score`` builds stages lazily: same numbers as building them up front.

The default call streams the data through the steps (the engine's fast path) and keeps its
inputs; the first access to a stage runs the pipeline again keeping every stage. Every
stage, the scores, ranks, log and fitted normaliser must equal, bit for bit, those of
``keep_stages=True`` (which builds the stages up front), for every bundled framework and
the COINr ASEM example.
"""

from __future__ import annotations

import pickle
from typing import List, Tuple

import numpy as np
import pandas as pd
import pytest
from conftest import ASEM_PIPELINE

import zhili


@pytest.fixture(scope="module")
def asem_fw(asem_imeta: pd.DataFrame) -> zhili.Framework:
    return zhili.Framework.from_coinr(asem_imeta)


def bits(a: np.ndarray) -> np.ndarray:
    """The float64 values' bit patterns (NaN payloads and signed zeros included)."""
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def assert_same_bits(what: str, got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    diff = bits(got) != bits(want)
    assert not diff.any(), f"{what}: first differing cell {tuple(np.argwhere(diff)[0])}: {got[diff][0]!r} vs {want[diff][0]!r}"


def assert_same_run(lazy: zhili.Results, eager: zhili.Results) -> None:
    assert lazy.stages == eager.stages
    assert lazy.node_ids == eager.node_ids
    assert lazy.unit_ids == eager.unit_ids
    assert lazy._run.result_rows() == eager._run.result_rows()
    assert_same_bits("scores", lazy.scores_array(), eager.scores_array())
    assert_same_bits("ranks", lazy.ranks_array(), eager.ranks_array())
    assert_same_bits("effective weights", lazy._run.effective_weights(), eager._run.effective_weights())
    pd.testing.assert_frame_equal(lazy.log, eager.log)
    assert lazy.normaliser == eager.normaliser
    for name in eager.stages:
        rows_l, v_l = lazy._run.stage(name)
        rows_e, v_e = eager._run.stage(name)
        assert rows_l == rows_e, f"stage {name}: rows differ"
        assert_same_bits(f"stage {name}", v_l, v_e)
        pd.testing.assert_frame_equal(lazy.stage(name), eager.stage(name))


def samples() -> List[Tuple[str, str]]:
    out = []
    for name in zhili.datasets.names():
        for b in zhili._native.bundled():
            if b["name"] == name:
                out.extend((name, d["name"]) for d in b["datasets"])
    return out


@pytest.mark.parametrize("name,dataset", samples(), ids=[f"{n}-{d}" for n, d in samples()])
def test_bundled_lazy_equals_eager(name: str, dataset: str) -> None:
    s = zhili.datasets.load(name, dataset)
    # Without a screen step the default streams; with one it builds the stages up front.
    steps = [st for st in s.pipeline.steps if st.type != "screen"]
    pipe = zhili.Pipeline(steps)
    lazy = s.score(pipeline=pipe)
    assert not lazy._run.stages_built
    eager = s.score(pipeline=pipe, keep_stages=True)
    assert eager._run.stages_built
    assert_same_run(lazy, eager)
    assert lazy._run.stages_built


def test_asem_lazy_equals_eager(asem_fw: zhili.Framework, asem_data: pd.DataFrame) -> None:
    full = zhili.Pipeline.from_toml_str(ASEM_PIPELINE)
    steps = [st for st in full.steps if st.type != "screen"]
    assert [st.type for st in steps] == ["denominate", "impute", "treat", "normalise", "aggregate"]
    pipe = zhili.Pipeline(steps)
    lazy = zhili.score(asem_fw, asem_data, pipe, unit="uCode")
    eager = zhili.score(asem_fw, asem_data, pipe, unit="uCode", keep_stages=True)
    assert not lazy._run.stages_built
    assert_same_run(lazy, eager)


def test_asem_with_screen_is_eager(asem_fw: zhili.Framework, asem_data: pd.DataFrame) -> None:
    """A screen step cannot stream: the default builds the stages up front, as before."""
    pipe = zhili.Pipeline.from_toml_str(ASEM_PIPELINE)
    res = zhili.score(asem_fw, asem_data, pipe, unit="uCode")
    assert res._run.stages_built
    assert "screened" in res.stages
    assert_same_run(res, zhili.score(asem_fw, asem_data, pipe, unit="uCode", keep_stages=True))


def test_stages_built_once_and_cached() -> None:
    s = zhili.datasets.load()
    res = s.score()
    assert not res._run.stages_built
    names = res.stages  # names alone do not build anything
    assert names[0] == "raw" and names[-1] == "aggregated"
    assert not res._run.stages_built
    res.scores, res.ranks, res.log, res.index_ranks  # nor do scores, ranks and the log
    assert not res._run.stages_built
    first = res._run.stage(names[1])[1]
    assert res._run.stages_built
    again = res._run.stage(names[1])[1]
    # the same engine memory both times: built once, then cached
    assert first.__array_interface__["data"][0] == again.__array_interface__["data"][0]
    with pytest.raises(zhili.UnknownIdError, match="screened"):
        res.stage("screened")


def test_unknown_stage_does_not_build() -> None:
    res = zhili.datasets.load().score()
    with pytest.raises(zhili.UnknownIdError) as e:
        res.stage("nope")
    assert e.value.what == "stage" and e.value.id == "nope"  # type: ignore[attr-defined]
    assert not res._run.stages_built


def test_keep_stages_false_unchanged() -> None:
    s = zhili.datasets.load()
    fast = s.score(keep_stages=False)
    assert fast.stages == ["aggregated"]
    assert not fast._run.stages_built
    assert set(fast.node_ids) < set(s.score().node_ids)


def test_pickled_lazy_run_stays_lazy_and_equal() -> None:
    """A pickled default result carries its inputs (dataset + pipeline), not its stages:
    it unpickles lazy and builds the same stages on demand."""
    s = zhili.datasets.load()
    lazy = s.score()
    eager = s.score(keep_stages=True)
    back = pickle.loads(pickle.dumps(lazy))
    assert not back._run.stages_built
    assert_same_run(back, eager)
    # built before pickling: still pickled as inputs, same stages after
    lazy.stage("raw")
    again = pickle.loads(pickle.dumps(lazy))
    assert not again._run.stages_built
    assert_same_run(again, eager)


def test_pickled_lazy_panel_with_groups_and_names() -> None:
    """Panel data, group and numeric columns and display names survive the pickle."""
    fw = zhili.Framework.from_dict(
        {
            "version": 1,
            "nodes": [
                {"id": "index"},
                {"id": "a", "parent": "index", "denominator": "pop"},
                {"id": "b", "parent": "index"},
            ],
        }
    )
    df = pd.DataFrame(
        {
            "unit": ["x", "y", "z", "x", "y", "z"],
            "name": ["X", "Y", "Z", "X", "Y", "Z"],
            "year": [2020, 2020, 2020, 2021, 2021, 2021],
            "region": ["n", "s", "n", "n", "s", "n"],
            "pop": [1.0, 2.0, 4.0, 1.0, 2.0, 4.0],
            "a": [1.0, np.nan, 3.0, 2.0, 5.0, 1.0],
            "b": [4.0, 2.0, np.nan, 1.0, 1.0, 3.0],
        }
    )
    pipe = zhili.Pipeline(
        [
            zhili.steps.Denominate(),
            zhili.steps.Impute("group_mean", group="region"),
            zhili.steps.Normalise("minmax", lo=0.0, hi=100.0),
            zhili.steps.Aggregate(),
        ]
    )
    lazy = zhili.score(fw, df, pipe, time="year")
    eager = zhili.score(fw, df, pipe, time="year", keep_stages=True)
    assert_same_run(lazy, eager)
    back = pickle.loads(pickle.dumps(zhili.score(fw, df, pipe, time="year")))
    assert_same_run(back, eager)
    assert back.scores.index.names == ["unit", "time"]


def test_every_node_scores_built_on_first_access() -> None:
    """The default run computes the aggregates; the normalised-indicator columns come on
    first access to every node's scores, equal to computing them at once, and cached."""
    s = zhili.datasets.load()
    res = s.score()
    eager = s.score(keep_stages=True)
    assert not res._run.scores_built
    assert res.node_ids == eager.node_ids  # named without building them
    assert_same_bits("effective weights", res._run.effective_weights(), eager._run.effective_weights())
    pd.testing.assert_series_equal(res.index, eager.index)  # the index alone builds nothing
    res.index_ranks, res.log
    assert not res._run.scores_built
    first = res.scores_array()
    assert res._run.scores_built and not res._run.stages_built
    assert_same_bits("scores", first, eager.scores_array())
    assert first.__array_interface__["data"][0] == res.scores_array().__array_interface__["data"][0]


def test_every_node_scores_refused_after_an_in_place_write() -> None:
    fw = zhili.Framework.from_dict({"version": 1, "nodes": [{"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i"}]})
    df = pd.DataFrame({"unit": ["x", "y", "z"], "a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]})
    res = zhili.score(fw, df, unit="unit")
    index = res.index.copy()
    df.loc[0, "a"] = 100.0  # pandas writes into the block the results share
    with pytest.raises(zhili.DataError, match="changed in place"):
        res.scores_array()
    pd.testing.assert_series_equal(res.index, index)  # computed when scoring
    assert "changed in place" in repr(res)  # the repr says so instead of raising
