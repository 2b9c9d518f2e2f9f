"""Fit once, apply anywhere: zhili.fit / Pipeline.fit / FittedPipeline."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest

import zhili
from zhili import steps

FW = {
    "version": 1,
    "nodes": [
        {"id": "index"},
        {"id": "d1", "parent": "index"},
        {"id": "d2", "parent": "index", "weight": 2.0},
        {"id": "a", "parent": "d1"},
        {"id": "b", "parent": "d1", "direction": "cost"},
        {"id": "c", "parent": "d2"},
        {"id": "e", "parent": "d2"},
    ],
}


def _frame(seed: int, n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.lognormal(2.0, 1.0, size=(n, 4))
    x[rng.random((n, 4)) < 0.1] = np.nan
    df = pd.DataFrame(x, columns=["a", "b", "c", "e"])
    df.insert(0, "unit", [f"u{i}" for i in range(n)])
    df["region"] = rng.choice(["east", "west"], size=n)
    return df


PIPE = zhili.Pipeline(
    [
        steps.Impute("group_mean", group="region"),
        steps.Treat("winsorise", max_points=2),
        steps.Normalise("zscore", mean=50.0, sd=10.0),
        steps.Aggregate("arithmetic"),
    ]
)


def test_fit_then_apply_equals_score_bit_for_bit() -> None:
    fw = zhili.Framework.from_dict(FW)
    df = _frame(1)
    fitted = PIPE.fit(fw, df, unit="unit")
    assert isinstance(fitted, zhili.FittedPipeline)
    direct = zhili.score(fw, df, PIPE, unit="unit")
    applied = fitted.apply(df, unit="unit")
    np.testing.assert_array_equal(applied.scores.to_numpy(), direct.scores.to_numpy())
    np.testing.assert_array_equal(applied.ranks.to_numpy(), direct.ranks.to_numpy())
    types = [s["type"] for s in fitted.to_dict()["pipeline"]["steps"]]
    assert types == ["impute_fitted", "treat_fitted", "normalise", "aggregate"]


def test_new_data_uses_the_fitted_parameters() -> None:
    fw = zhili.Framework.from_dict({"version": 1, "nodes": [{"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i"}]})
    base = pd.DataFrame({"unit": ["x", "y", "z"], "a": [10.0, 20.0, 30.0], "b": [1.0, np.nan, 3.0]})
    fitted = zhili.fit(fw, base, unit="unit")  # default pipeline: mean imputation, min-max [0, 100]
    later = pd.DataFrame({"unit": ["x", "w"], "a": [15.0, 40.0], "b": [np.nan, 3.0]})
    res = fitted.apply(later, unit="unit", keep_stages=True)
    # hand calculation on the base year: a ∈ [10, 30], b ∈ [1, 3], b's gap ← mean 2
    assert res.stage("imputed").loc["x", "b"] == 2.0
    np.testing.assert_allclose(res.index.to_numpy(), [(25.0 + 50.0) / 2, (150.0 + 100.0) / 2], rtol=0, atol=1e-12)
    # a unit whose raw indicators all improve scores higher
    better = pd.DataFrame({"unit": ["x"], "a": [16.0], "b": [2.5]})
    assert fitted.apply(better, unit="unit").index["x"] > res.index["x"]


def test_documents_round_trip_and_pickle(tmp_path) -> None:
    fw = zhili.Framework.from_dict(FW)
    fitted = PIPE.fit(fw, _frame(2), unit="unit", weights="entropy", grading={"node": "index", "labels": ["low", "high"], "quantiles": [0.5]})
    assert set(fitted.weights) == {"d1", "d2", "a", "b", "c", "e"}
    assert len(fitted.grading["thresholds"]) == 1
    p = tmp_path / "fitted.json"
    fitted.to_json(p)
    assert zhili.FittedPipeline.from_json(p) == fitted
    assert zhili.FittedPipeline.from_toml_str(fitted.to_toml()) == fitted
    again = pickle.loads(pickle.dumps(fitted))
    assert again == fitted
    new = _frame(3)
    np.testing.assert_array_equal(again.apply(new, unit="unit").scores.to_numpy(), fitted.apply(new, unit="unit").scores.to_numpy())
    g = fitted.grade(fitted.apply(new, unit="unit"))
    assert g is not None and set(g.labels) <= {"low", "high"}


def test_bad_documents_and_unfreezable_methods_raise_clearly() -> None:
    fw = zhili.Framework.from_dict(FW)
    fitted = PIPE.fit(fw, _frame(4), unit="unit")
    bad = fitted.to_json().replace('"version": 1', '"version": 9', 1)
    with pytest.raises(zhili.PipelineError, match="version"):
        zhili.FittedPipeline.from_json_str(bad)
    ranked = zhili.Pipeline([steps.Normalise("rank"), steps.Aggregate("arithmetic")])
    with pytest.raises(zhili.MethodError, match="cannot be fitted"):
        ranked.fit(fw, _frame(4), unit="unit")
    with pytest.raises(TypeError, match="weights"):
        fitted.apply(_frame(4), unit="unit", weights={"a": 2.0})


PARTIAL_PIPE = zhili.Pipeline(
    [
        steps.Impute("group_mean", group="region"),
        steps.Normalise("zscore", mean=50.0, sd=10.0),
        steps.Aggregate("arithmetic"),
    ]
)


def test_partial_fits_merged_in_any_order_are_identical_and_match_fit() -> None:
    fw = zhili.Framework.from_dict(FW)
    df = _frame(5, n=60)
    whole = PARTIAL_PIPE.fit(fw, df, unit="unit")
    rng = np.random.default_rng(0)
    docs = set()
    for _ in range(4):
        cuts = [0, *sorted(int(c) for c in rng.choice(np.arange(1, 60), size=rng.integers(1, 6), replace=False)), 60]
        chunks = [df.iloc[a:b] for a, b in zip(cuts, cuts[1:])]
        parts = [zhili.PartialFit(fw, PARTIAL_PIPE).update(chunk, unit="unit") for chunk in chunks]
        parts = [pickle.loads(pickle.dumps(p)) for p in parts]  # as Dask ships them
        rng.shuffle(parts)
        acc = parts[0]
        for p in parts[1:]:
            acc.merge(p)
        docs.add(acc.finish().to_json())
    assert len(docs) == 1  # identical bits for every partitioning and order
    merged = zhili.FittedPipeline.from_json_str(docs.pop())
    new = _frame(6)
    a = merged.apply(new, unit="unit").scores.to_numpy()
    b = whole.apply(new, unit="unit").scores.to_numpy()
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    # the fitted values themselves, against the Rust one-machine fit
    fa, fb = merged.to_dict()["pipeline"]["steps"][0], whole.to_dict()["pipeline"]["steps"][0]
    for g, vals in fb["groups"].items():
        for ind, v in vals.items():
            assert fa["groups"][g][ind] == pytest.approx(v, rel=1e-12)


def test_partial_fit_refuses_steps_that_need_the_whole_data() -> None:
    fw = zhili.Framework.from_dict(FW)
    with pytest.raises(zhili.MethodError, match="whole data"):
        zhili.PartialFit(fw, [steps.Impute("median"), steps.Aggregate("arithmetic")])
    with pytest.raises(zhili.MethodError, match=r"grading \(quantiles\).*whole data"):
        zhili.PartialFit(fw, grading={"node": "index", "labels": ["lo", "hi"], "quantiles": [0.5]})


def test_partial_fit_in_passes_treat_and_weights_equal_fit() -> None:
    fw = zhili.Framework.from_dict(FW)
    df = _frame(7, n=80)
    chunks = [df.iloc[a:b] for a, b in ((0, 13), (13, 50), (50, 80))]
    for kw in ({}, {"weights": "entropy"}, {"weights": {"method": "pca"}, "weight_stage": "treated"}):
        one = zhili.fit(fw, df, PIPE, unit="unit", **kw)
        state = zhili.PartialFit(fw, PIPE, **kw)
        # treat, then the z-score of treated values; entropy: range and sums for 2 levels
        assert state.passes_left() == {0: 2, 1: 6, 2: 4}[len(kw) and (1 if kw["weights"] == "entropy" else 2)]
        with pytest.raises(zhili.PipelineError, match="advance"):
            state.finish()
        while True:
            parts = [pickle.loads(pickle.dumps(state)).update(c, unit="unit") for c in chunks]
            for p in reversed(parts):
                state.merge(p)
            if state.passes_left() == 0:
                break
            state = state.advance()
        got = state.finish().to_dict()
        want = one.to_dict()
        treat = got["pipeline"]["steps"][1]
        assert treat["type"] == "treat_fitted" and treat["rules"]
        # the rules' bounds are data values (or imputed group means: exact sums vs running sums)
        assert json.dumps(treat, sort_keys=True) == json.dumps(want["pipeline"]["steps"][1], sort_keys=True) or all(
            r == pytest.approx(want["pipeline"]["steps"][1]["rules"][k], rel=1e-12) for k, r in treat["rules"].items()
        )
        if kw:
            for node, w in want["weights"]["values"].items():
                assert got["weights"]["values"][node] == pytest.approx(w, rel=1e-12, abs=0), node
        a = state.finish().apply(df, unit="unit").scores.to_numpy()
        np.testing.assert_allclose(a, one.apply(df, unit="unit").scores.to_numpy(), rtol=1e-9, atol=1e-9)
