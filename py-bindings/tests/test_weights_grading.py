"""Weighting methods (checked against tests/fixtures/mcdm, cross-library references) and grading."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import zhili

from conftest import FIXTURES

MCDM = FIXTURES / "mcdm"


@pytest.fixture(scope="module")
def mcdm() -> tuple:
    data = pd.read_csv(MCDM / "dataset.csv", engine="python").set_index("jurisdiction")
    data.loc["J04", "new_social_housing_units"] = 1.0  # as the reference did (entropy and zeros)
    crit = pd.read_csv(MCDM / "criteria.csv", engine="python").set_index("criterion")["type"].to_dict()
    ref = pd.read_csv(MCDM / "weights_reference.csv", engine="python")
    return data.astype(float), crit, ref


@pytest.mark.parametrize(
    "method,row",
    [("entropy", 0), ("critic", 1), ("standard_deviation", 2), ("coefficient_of_variation", 3)],
)
def test_weights_match_reference(mcdm: tuple, method: str, row: int) -> None:
    data, crit, ref = mcdm
    want = ref.iloc[row][list(data.columns)].astype(float)
    got = zhili.weights.compute(data, method, directions=crit)
    assert got.method.replace(" ", "_") == method
    for c in data.columns:
        assert got.weights[c] == pytest.approx(want[c], abs=1e-9), c
    assert sum(got.weights.values()) == pytest.approx(1.0, abs=1e-12)


def test_weights_errors_name_the_culprit(mcdm: tuple) -> None:
    data, crit, _ = mcdm
    bad = data.copy()
    bad.loc["J05", "egov_services_count"] = np.nan
    with pytest.raises(zhili.ZhiliError) as e:
        zhili.weights.compute(bad, "entropy", directions=crit)
    assert "J05" in str(e.value) and "egov_services_count" in str(e.value)
    with pytest.raises(zhili.PipelineError, match="unknown variant"):
        zhili.weights.compute(data, "astrology")
    with pytest.raises(zhili.PipelineError, match="sideways"):
        zhili.weights.compute(data, "entropy", directions=["sideways"] * data.shape[1])


def test_group_weights_plug_into_score() -> None:
    s = zhili.datasets.load()
    res = s.score()
    w = zhili.weights.for_framework(s.framework, res.stage("normalised"), "entropy")
    non_root = [n for n in s.framework.node_ids if n != s.framework.index_id]
    assert sorted(w) == sorted(non_root)
    for n in s.framework.nodes:
        if n["children"]:
            assert sum(w[c] for c in n["children"]) == pytest.approx(1.0)
    res2 = s.score(weights=w)
    assert res2.framework.effective_weights != res.framework.effective_weights


def test_grade() -> None:
    g = zhili.grade([59.9, 60.0, 90.0, np.nan], ["差", "中", "良"], thresholds=[60, 90])
    assert g.labels == ["差", "中", "良", None]
    assert g.bands == [0, 1, 2, None]
    assert g.counts == [1, 1, 1]
    q = zhili.grade(np.arange(8.0), ["low", "high"], quantiles=[0.5])
    assert q.thresholds == [3.5] and q.counts == [4, 4]
    with pytest.raises(zhili.PipelineError):
        zhili.grade([1.0, 2.0], ["a", "b"], thresholds=[2.0, 1.0])
    with pytest.raises(TypeError):
        zhili.grade([1.0], ["a"])


def test_results_grade() -> None:
    s = zhili.datasets.load()
    res = s.score()
    g = res.grade(["红", "黄", "绿"], quantiles=[1 / 3, 2 / 3])
    assert list(g.cat.categories) == ["红", "黄", "绿"]
    assert g.index.equals(res.scores.index)
    best = res.ranking().index[0]
    assert g[best] == "绿"
