"""The COINr example index (ASEM), reproduced through the Python API at every stage, to 1e-9.

Inputs and expected values: the repository's tests/fixtures/coinr-asem (COINr 1.1.14,
see tests/fixtures/README.md for provenance).
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

import zhili

from conftest import ASEM, ASEM_PIPELINE, assert_frame_close, read_ref

STAGES = [
    ("raw", "nominal_01_Raw.csv"),
    ("denominated", "nominal_02_Denominated.csv"),
    ("imputed", "nominal_03_Imputed.csv"),
    ("screened", "nominal_04_Screened.csv"),
    ("treated", "nominal_05_Treated.csv"),
    ("normalised", "nominal_06_Normalised.csv"),
]


@pytest.fixture(scope="module")
def asem_fw(asem_imeta: pd.DataFrame) -> zhili.Framework:
    return zhili.Framework.from_coinr(asem_imeta)


@pytest.fixture(scope="module")
def asem_results(asem_fw: zhili.Framework, asem_data: pd.DataFrame) -> zhili.Results:
    pipe = zhili.Pipeline.from_toml_str(ASEM_PIPELINE)
    return zhili.score(asem_fw, asem_data, pipeline=pipe, unit="uCode")


def test_framework_from_coinr(asem_fw: zhili.Framework) -> None:
    assert len(asem_fw.indicator_ids) == 49
    assert asem_fw.index_id == "Index"
    cost = [n["id"] for n in asem_fw.nodes if n["direction"] == "cost"]
    assert len(cost) == 14
    # The same tree read straight from the CSV file (Rust iMeta reader).
    assert zhili.Framework.from_coinr(ASEM / "input_ASEM_iMeta.csv") == asem_fw


def test_effective_weights(asem_fw: zhili.Framework, asem_results: zhili.Results) -> None:
    ref = pd.read_csv(ASEM / "weights_effective.csv", engine="python").set_index("iCode")["EffWeight"]
    got = asem_results.effective_weights
    for code, w in ref.items():
        assert got[code] == pytest.approx(w, rel=1e-12, abs=1e-15), code
        assert asem_fw.effective_weights[code] == pytest.approx(w, rel=1e-12, abs=1e-15), code


@pytest.mark.parametrize("stage,ref", STAGES, ids=[s for s, _ in STAGES])
def test_stage(asem_results: zhili.Results, stage: str, ref: str) -> None:
    assert_frame_close(stage, asem_results.stage(stage), read_ref(ref))


def test_aggregated_scores(asem_results: zhili.Results) -> None:
    want = read_ref("nominal_07_Aggregated.csv")
    assert_frame_close("aggregated", asem_results.scores, want)
    assert_frame_close("aggregated stage", asem_results.stage("aggregated"), want)


def test_ranks(asem_results: zhili.Results) -> None:
    want = read_ref("nominal_07_Aggregated_ranks.csv")
    assert_frame_close("ranks", asem_results.ranks, want, tol=0.0)


def test_top_five(asem_results: zhili.Results) -> None:
    top = asem_results.ranking(top=5)
    assert list(top.index) == ["CHE", "NLD", "DNK", "NOR", "BEL"]
    assert top["Index"].round(4).tolist() == [68.3837, 64.8195, 64.8041, 64.4678, 63.5395]
    assert top["name"].iloc[0] == "Switzerland"


def test_numpy_input_matches_dataframe(asem_fw: zhili.Framework, asem_data: pd.DataFrame, asem_results: zhili.Results) -> None:
    """The same run from a numpy array plus group / numeric columns."""
    ind = asem_fw.indicator_ids
    res = zhili.score(
        asem_fw,
        asem_data[ind].to_numpy(),
        zhili.Pipeline.from_toml_str(ASEM_PIPELINE),
        unit_ids=asem_data["uCode"].tolist(),
        groups={"EurAsia_group": asem_data["EurAsia_group"].tolist()},
        numeric={c: asem_data[c].to_numpy() for c in ["Area", "Energy", "GDP", "Population"]},
    )
    np.testing.assert_array_equal(res.scores_array(), asem_results.scores_array())


def test_pickled_results_keep_every_stage(asem_results: zhili.Results) -> None:
    back = pickle.loads(pickle.dumps(asem_results))
    for stage, _ in STAGES:
        pd.testing.assert_frame_equal(back.stage(stage), asem_results.stage(stage))
    pd.testing.assert_frame_equal(back.scores, asem_results.scores)
    pd.testing.assert_frame_equal(back.ranks, asem_results.ranks)
    pd.testing.assert_frame_equal(back.log, asem_results.log)
    assert back.framework == asem_results.framework


def test_log_names_what_was_done(asem_results: zhili.Results) -> None:
    log = asem_results.log
    assert set(log.columns) == {"step", "action", "level", "unit", "indicator", "value", "detail"}
    # COINr imputes missing values in this example: the log says which cells.
    imputed = log[log["step"] == "impute"]
    assert len(imputed) > 0
    assert imputed["unit"].notna().all() and imputed["indicator"].notna().all()


def test_variant_geometric(asem_fw: zhili.Framework, asem_data: pd.DataFrame) -> None:
    """COINr variant A: min-max [1, 100] then geometric mean."""
    steps = zhili.Pipeline.from_toml_str(ASEM_PIPELINE).steps[:-2] + [
        zhili.steps.Normalise("minmax", lo=1.0, hi=100.0),
        zhili.steps.Aggregate("geometric"),
    ]
    res = zhili.score(asem_fw, asem_data, zhili.Pipeline(steps), unit="uCode")
    assert_frame_close("variant A normalised", res.stage("normalised"), read_ref("variant_A_minmax1-100_gmean_Normalised.csv"))
    assert_frame_close("variant A aggregated", res.scores, read_ref("variant_A_minmax1-100_gmean_Aggregated.csv"))
    assert_frame_close("variant A ranks", res.ranks, read_ref("variant_A_minmax1-100_gmean_Aggregated_ranks.csv"), tol=0.0)


def test_streaming_same_scores(asem_fw: zhili.Framework, asem_data: pd.DataFrame, asem_results: zhili.Results) -> None:
    """keep_stages=False (the engine's streaming path) gives the same aggregate scores, ranks and log."""
    fast = zhili.score(asem_fw, asem_data, zhili.Pipeline.from_toml_str(ASEM_PIPELINE), unit="uCode", keep_stages=False)
    aggregates = [n for n in asem_results.scores.columns if n not in asem_fw.indicator_ids]
    assert list(fast.scores.columns) == aggregates
    pd.testing.assert_frame_equal(fast.scores, asem_results.scores[aggregates])
    pd.testing.assert_frame_equal(fast.ranks, asem_results.ranks[aggregates])
    assert len(fast.log) == len(asem_results.log)


NORMALISERS = [
    ("minmax_0_100", zhili.steps.Normalise("minmax", lo=0.0, hi=100.0)),
    ("minmax_1_100", zhili.steps.Normalise("minmax", lo=1.0, hi=100.0)),
    ("zscore_0_1", zhili.steps.Normalise("zscore", mean=0.0, sd=1.0)),
    ("zscore_10_2", zhili.steps.Normalise("zscore", mean=10.0, sd=2.0)),
    ("rank", zhili.steps.Normalise("rank")),
    ("prank", zhili.steps.Normalise("percentile")),
    ("borda", zhili.steps.Normalise("borda")),
    ("dist2max", zhili.steps.Normalise("dist_to_max")),
    ("fracmax", zhili.steps.Normalise("frac_max")),
    ("dist2targ_iMeta", zhili.steps.Normalise("dist_to_target")),
]


@pytest.mark.parametrize("name,step", NORMALISERS, ids=[n for n, _ in NORMALISERS])
def test_normalisers_on_treated_data(asem_fw: zhili.Framework, name: str, step: zhili.steps.Step) -> None:
    """Every COINr normalisation of the treated ASEM data, through a Python-built pipeline."""
    treated = read_ref("nominal_05_Treated.csv").reset_index()
    pipeline = zhili.Pipeline([step, zhili.steps.Aggregate()])
    want = read_ref(f"normalise_Treated_{name}.csv")
    infinite = [c for c in want.columns if np.isinf(want[c].to_numpy(dtype=float, na_value=np.nan)).any()]
    if infinite:
        # fracmax: "lower is better" columns that start at 0 make COINr divide by max(-x) = 0
        # and return Inf. zhili refuses a non-finite result (issue 19), naming the indicator.
        assert name == "fracmax", infinite
        with pytest.raises(zhili.MethodError, match="|".join(infinite)):
            zhili.score(asem_fw, treated, pipeline, unit="uCode")
        # every other column still equals COINr's (normalisation is column by column)
        treated[infinite] += 1.0
        want = want.drop(columns=infinite)
    res = zhili.score(asem_fw, treated, pipeline, unit="uCode")
    assert_frame_close(name, res.stage("normalised"), want)
