"""Audit, uncertainty, replay and sensitivity through Python, on the COINr ASEM example.

References: tests/fixtures/coinr-asem (COINr 1.1.14; see tests/fixtures/README.md):
UA_N100_design.csv + SA_noisy_weight_sets.csv (COINr's uncertainty design), UA_N100_scores.csv
(every run's Index score), UA_N100_rankstats.csv (rank statistics), stats_Treated.csv
(COINr's get_stats on the treated data).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

import zhili

from conftest import ASEM, ASEM_PIPELINE


@pytest.fixture(scope="module")
def asem_fw(asem_imeta: pd.DataFrame) -> zhili.Framework:
    return zhili.Framework.from_coinr(asem_imeta)


@pytest.fixture(scope="module")
def pipe() -> zhili.Pipeline:
    return zhili.Pipeline.from_toml_str(ASEM_PIPELINE)


@pytest.fixture(scope="module")
def coinr_replay(asem_fw: zhili.Framework, asem_data: pd.DataFrame, pipe: zhili.Pipeline) -> zhili.UncertaintyResult:
    design = zhili.Design.from_coinr(ASEM / "UA_N100_design.csv", ASEM / "SA_noisy_weight_sets.csv")
    assert len(design) == 100
    return zhili.replay(asem_fw, asem_data, pipe, design, unit="uCode", keep_runs=True)


def test_coinr_replay_scores(coinr_replay: zhili.UncertaintyResult) -> None:
    want = pd.read_csv(ASEM / "UA_N100_scores.csv", engine="python").set_index("uCode")
    got = coinr_replay.run_scores
    assert got is not None and got.shape == (100, 51)
    nominal = coinr_replay.index["nominal_score"].loc[want.index].to_numpy()
    assert np.allclose(nominal, want["Nominal"].to_numpy(), rtol=1e-9, atol=1e-9)
    for r in range(1, 101):
        w = want[f"r_{r}"].to_numpy()
        g = got.loc[r, want.index].to_numpy()
        assert np.all(np.abs(g - w) <= 1e-9 * (1 + np.abs(w))), f"run {r}"


def test_coinr_replay_rank_stats(coinr_replay: zhili.UncertaintyResult) -> None:
    want = pd.read_csv(ASEM / "UA_N100_rankstats.csv", engine="python").set_index("uCode")
    got = coinr_replay.index.loc[want.index]
    for ours, theirs in [("nominal_rank", "Nominal"), ("mean", "Mean"), ("median", "Median"), ("p5", "Q5"), ("p95", "Q95")]:
        assert got[ours].tolist() == want[theirs].tolist(), ours
    assert (got["ranked_runs"] == 100).all()


def test_design_from_path_and_text_round_trip(coinr_replay: zhili.UncertaintyResult) -> None:
    d = zhili.Design.from_coinr(
        (ASEM / "UA_N100_design.csv").read_text(), (ASEM / "SA_noisy_weight_sets.csv").read_text()
    )
    again = zhili.Design(d.to_csv() or "")
    assert len(again) == 100 and again.weight_nodes == d.weight_nodes


FACTORS = [
    {"type": "weights", "spread": 0.25},
    {"type": "normalise", "choices": [{"method": "minmax", "lo": 1, "hi": 100}, {"method": "zscore", "mean": 10, "sd": 2}]},
]


def test_uncertainty_seeded_and_reproducible(asem_fw: zhili.Framework, asem_data: pd.DataFrame, pipe: zhili.Pipeline) -> None:
    kw = dict(factors=FACTORS, runs=300, seed=5, unit="uCode", nodes=["Conn"], keep_runs=True, record_design=True)
    a = zhili.uncertainty(asem_fw, asem_data, pipe, **kw)
    b = zhili.uncertainty(asem_fw, asem_data, pipe, **kw)
    pd.testing.assert_frame_equal(a.index, b.index)
    pd.testing.assert_frame_equal(a.nodes["Conn"], b.nodes["Conn"])
    assert a.run_scores is not None and b.run_scores is not None
    assert np.array_equal(a.run_scores.to_numpy(), b.run_scores.to_numpy())
    c = zhili.uncertainty(asem_fw, asem_data, pipe, **{**kw, "seed": 6})
    assert not np.array_equal(a.run_scores.to_numpy(), c.run_scores.to_numpy())
    st = a.index
    assert list(st.columns) == ["nominal_score", "nominal_rank", "mean", "median", "p5", "p95", "mean_abs_shift", "ranked_runs"]
    assert (st["p5"] <= st["median"]).all() and (st["median"] <= st["p95"]).all()
    assert (st["mean_abs_shift"] >= 0).all()
    assert a.rank_stats("Conn") is a.nodes["Conn"]
    # the recorded design replays exactly
    assert a.design is not None and len(a.design) == 300
    r = zhili.replay(asem_fw, asem_data, pipe, a.design, unit="uCode")
    assert r.run_scores is not None
    assert np.allclose(r.run_scores.to_numpy(), a.run_scores.to_numpy(), rtol=1e-12, atol=1e-12, equal_nan=True)
    assert a.run_ranks is not None and r.run_ranks is not None
    assert a.run_ranks.equals(r.run_ranks)


def test_factors_as_toml_document(asem_fw: zhili.Framework, asem_data: pd.DataFrame, pipe: zhili.Pipeline, tmp_path) -> None:
    doc = """
runs = 120
seed = 5
[[factors]]
type = "weights"
spread = 0.25
[[factors]]
type = "normalise"
choices = [{method = "minmax", lo = 1, hi = 100}, {method = "zscore", mean = 10, sd = 2}]
"""
    a = zhili.uncertainty(asem_fw, asem_data, pipe, factors=doc, unit="uCode")
    p = tmp_path / "ua.toml"
    p.write_text(doc)
    b = zhili.uncertainty(asem_fw, asem_data, pipe, factors=p, unit="uCode")
    c = zhili.uncertainty(asem_fw, asem_data, pipe, factors=FACTORS, runs=120, seed=5, unit="uCode")
    assert a.runs == 120
    pd.testing.assert_frame_equal(a.index, b.index)
    pd.testing.assert_frame_equal(a.index, c.index)


def test_progress_called_with_increasing_counts(asem_fw: zhili.Framework, asem_data: pd.DataFrame, pipe: zhili.Pipeline) -> None:
    calls = []
    zhili.uncertainty(
        asem_fw, asem_data, pipe, factors=FACTORS, runs=20000, seed=1, unit="uCode", progress=lambda d, t: calls.append((d, t))
    )
    assert calls, "progress never called"
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(set(done)) == len(done)
    assert all(t == 20000 for _, t in calls)
    assert done[-1] == 20000


class Stop(Exception):
    pass


def test_progress_exception_cancels_the_run(asem_fw: zhili.Framework, asem_data: pd.DataFrame, pipe: zhili.Pipeline) -> None:
    calls = []

    def cb(done: int, total: int) -> None:
        calls.append(done)
        raise Stop(f"stop at {done}")

    t0 = time.perf_counter()
    with pytest.raises(Stop):
        # far more runs than could finish in the time allowed below
        zhili.uncertainty(asem_fw, asem_data, pipe, factors=FACTORS, runs=5_000_000, seed=1, unit="uCode", progress=cb)
    assert time.perf_counter() - t0 < 30
    assert len(calls) == 1 and calls[0] < 5_000_000


def test_sensitivity_asem(asem_fw: zhili.Framework, asem_data: pd.DataFrame, pipe: zhili.Pipeline) -> None:
    calls = []
    si = zhili.sensitivity(
        asem_fw, asem_data, pipe, factors=FACTORS, n=200, seed=2, unit="uCode", resamples=200, progress=lambda d, t: calls.append(t)
    )
    assert si.index.tolist() == ["weights", "normalise"]
    assert si.attrs["runs"] == 200 * 4 and len(si.attrs["outputs"]) == 800
    assert calls and calls[-1] == 800
    for c in ["first", "total"]:
        assert si[c].between(-0.1, 1.1).all(), si
        assert (si[f"{c}_lo"] <= si[c]).all() and (si[c] <= si[f"{c}_hi"]).all()
    assert (si["total"] >= si["first"] - 0.1).all()
    again = zhili.sensitivity(asem_fw, asem_data, pipe, factors=FACTORS, n=200, seed=2, unit="uCode", resamples=200)
    pd.testing.assert_frame_equal(si, again)
    one = zhili.sensitivity(
        asem_fw, asem_data, pipe, factors=FACTORS, n=50, seed=2, unit="uCode", output="score", output_unit="AUT"
    )
    assert one.attrs["runs"] == 200


def test_audit_stats_match_coinr(asem_fw: zhili.Framework, asem_data: pd.DataFrame, pipe: zhili.Pipeline) -> None:
    rep = zhili.audit(asem_fw, asem_data, pipe, unit="uCode")
    assert rep.stage == "treated"
    want = pd.read_csv(ASEM / "stats_Treated.csv", engine="python").set_index("iCode")
    got = rep.stats.loc[want.index]
    for ours, theirs in [
        ("min", "Min"),
        ("max", "Max"),
        ("mean", "Mean"),
        ("median", "Median"),
        ("sd", "Std"),
        ("skew", "Skew"),
        ("kurtosis", "Kurt"),
        ("n_avail", "N.Avail"),
        ("frc_unique", "Frc.Unique"),
    ]:
        g, w = got[ours].to_numpy(dtype=float), want[theirs].to_numpy(dtype=float)
        assert np.all(np.abs(g - w) <= 1e-9 * (1 + np.abs(w))), ours
    assert got["outlier"].tolist() == (want["Flag.SkewKurt"] == "OUT").tolist()
    assert len(rep.coverage) == 51 and rep.coverage.between(0, 1).all()
    assert "Conn" in rep.structure.index and -1 <= rep.structure.loc["Conn", "alpha"] <= 1
    assert rep.correlations["Conn"].shape[0] == rep.structure.loc["Conn", "n_children"]
    assert set(rep.flags.columns) == {"kind", "a", "b", "r"}
    assert {"effective_weight", "r2_parent", "r2_index", "eta2_index", "eta2_index_share"} <= set(rep.importance.columns)
    # η² is a share of variance; the index's children share it out completely
    assert rep.importance["eta2_index"].dropna().between(0, 1).all()
    top = rep.importance[rep.importance["parent"] == "Index"]
    assert len(top) > 0 and abs(top["eta2_index_share"].sum() - 1.0) < 1e-9
    assert len(rep.remove_one) > 0 and (rep.remove_one["mean_abs_rank_shift"] >= 0).all()
    assert "AuditReport" in repr(rep)


def test_bad_factor_node_named(asem_fw: zhili.Framework, asem_data: pd.DataFrame, pipe: zhili.Pipeline) -> None:
    with pytest.raises(zhili.UnknownIdError, match="Nope") as e:
        zhili.uncertainty(asem_fw, asem_data, pipe, factors=[{"type": "weights", "spread": 0.1, "nodes": ["Nope"]}], runs=5, unit="uCode")
    assert e.value.id == "Nope"


def test_bad_factor_type_named(asem_fw: zhili.Framework, asem_data: pd.DataFrame, pipe: zhili.Pipeline) -> None:
    with pytest.raises(zhili.PipelineError, match="wobble"):
        zhili.uncertainty(asem_fw, asem_data, pipe, factors=[{"type": "wobble"}], runs=5, unit="uCode")
    with pytest.raises(zhili.ParseError):
        zhili.uncertainty(asem_fw, asem_data, pipe, factors="[[factors]]\ntype = 3\n", unit="uCode")
    with pytest.raises(zhili.PipelineError, match="output"):
        zhili.sensitivity(asem_fw, asem_data, pipe, factors=FACTORS, n=10, unit="uCode", output="score")
    with pytest.raises(zhili.UnknownIdError, match="ZZZ"):
        zhili.sensitivity(asem_fw, asem_data, pipe, factors=FACTORS, n=10, unit="uCode", output="rank", output_unit="ZZZ")
    with pytest.raises(TypeError):
        zhili.uncertainty(asem_fw, asem_data, pipe, factors=FACTORS, runs=5, unit="uCode", progress=3)  # type: ignore[arg-type]


def test_bad_design_named(asem_fw: zhili.Framework, asem_data: pd.DataFrame, pipe: zhili.Pipeline) -> None:
    with pytest.raises(zhili.UnknownIdError, match="Nope"):
        zhili.replay(asem_fw, asem_data, pipe, "run,w:Nope\n1,0.5\n", unit="uCode")
    with pytest.raises(zhili.ParseError):
        zhili.Design("run,aggregate\n1,{not json\n")


def test_ctrl_c_interrupts_promptly(asem_fw: zhili.Framework, asem_data: pd.DataFrame, pipe: zhili.Pipeline) -> None:
    import os
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGINT"):
        pytest.skip("signals are delivered to the main thread only")
    # A background job (`scripts/test.sh &`) starts with SIGINT ignored, and Python then keeps
    # it ignored: install Python's own handler for this test, and put back whatever was there.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    t0 = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            zhili.uncertainty(asem_fw, asem_data, pipe, factors=FACTORS, runs=5_000_000, seed=1, unit="uCode")
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert time.perf_counter() - t0 < 10


def test_analysis_submodule_holds_every_analysis_and_top_level_names_are_aliases() -> None:
    import zhili.analysis as a

    for name in ["audit", "AuditReport", "uncertainty", "replay", "Design", "UncertaintyResult", "sensitivity"]:
        assert getattr(zhili, name) is getattr(a, name), name
    for name in ["coupling_coordination", "obstacle_degree"]:
        assert callable(getattr(a, name)) and name in a.__all__
