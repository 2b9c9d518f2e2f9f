"""The Python API: constructors, round trips, pickling, reprs, Jupyter rendering, numpy paths."""

from __future__ import annotations

import json
import pickle
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import zhili

FW_DOC = {
    "version": 1,
    "id": "demo",
    "name": {"zh": "示例", "en": "Demo"},
    "nodes": [
        {"id": "index", "name": {"zh": "指数", "en": "Index"}},
        {"id": "safety", "parent": "index", "weight": 2.0, "name": {"zh": "平安建设"}},
        {"id": "crime", "parent": "safety", "direction": "cost", "unit": "per 10k"},
        {"id": "trust", "parent": "safety"},
        {"id": "courts", "parent": "index"},
    ],
}
AGG = [zhili.steps.Aggregate("arithmetic")]


@pytest.fixture()
def fw() -> zhili.Framework:
    return zhili.Framework.from_dict(FW_DOC)


@pytest.fixture()
def data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["a", "b", "c"],
            "name": ["甲", "乙", "丙"],
            "region": ["east", "west", "east"],
            "crime": [1.0, 2.0, 3.0],
            "trust": [3.0, 4.0, 8.0],
            "courts": [1, 2, 3],
            "population": [10.0, 20.0, 30.0],
        }
    )


def test_framework_round_trips(fw: zhili.Framework, tmp_path: Path) -> None:
    assert zhili.Framework.from_toml_str(fw.to_toml()) == fw
    assert zhili.Framework.from_json_str(fw.to_json()) == fw
    assert zhili.Framework.from_dict(fw.to_dict()) == fw
    fw.to_toml(tmp_path / "f.toml")
    fw.to_json(tmp_path / "f.json")
    assert zhili.Framework.from_toml(tmp_path / "f.toml") == fw
    assert zhili.Framework.from_json(str(tmp_path / "f.json")) == fw
    coinr = fw.to_coinr()
    assert list(coinr["iCode"]) == ["crime", "trust", "courts", "safety", "index"]
    back = zhili.Framework.from_coinr(coinr)
    assert back.effective_weights == pytest.approx(fw.effective_weights)


def test_framework_gbk_file(tmp_path: Path) -> None:
    p = tmp_path / "gbk.toml"
    # the comment gives the detector enough evidence (zhili_io::MIN_EVIDENCE non-ASCII bytes)
    p.write_bytes('# 昆明市社会治理\nversion = 1\n[[nodes]]\nid = "指数"\n[[nodes]]\nid = "法治"\nparent = "指数"\n'.encode("gbk"))
    assert zhili.Framework.from_toml(p).node_ids == ["指数", "法治"]


def test_framework_inspection(fw: zhili.Framework) -> None:
    assert fw.id == "demo" and fw.name == "Demo" and fw.index_id == "index"
    assert fw.indicator_ids == ["crime", "trust", "courts"]
    assert fw.effective_weights["crime"] == pytest.approx(1 / 3)
    nodes = fw.to_frame()
    assert nodes.loc["crime", "direction"] == "cost" and nodes.loc["crime", "unit"] == "per 10k"
    assert nodes.loc["safety", "children"] == ["crime", "trust"]
    assert fw.with_weights({"safety": 1.0}).effective_weights["courts"] == pytest.approx(0.5)
    assert fw.effective_weights["courts"] == pytest.approx(1 / 3)  # unchanged: frameworks are immutable


def test_framework_repr_and_html(fw: zhili.Framework) -> None:
    assert repr(fw) == "Framework('index': 3 indicators, 2 aggregates)"
    tree = fw.tree().splitlines()
    assert tree[0].startswith("index") and tree[1].startswith("  safety") and tree[2].startswith("    crime")
    h = fw._repr_html_()
    # indented tree: depth-2 rows further right than depth-1 rows, with weights and directions
    assert "padding-left:3.3em'>crime" in h and "padding-left:1.8em'><b>safety" in h
    assert "↓ cost" in h and "↑ benefit" in h and "0.6667" in h and "平安建设" in h


def test_pipeline_round_trips(tmp_path: Path) -> None:
    p = zhili.Pipeline(
        [zhili.steps.Impute("group_mean", group="region"), zhili.steps.Normalise("minmax", lo=0.0, hi=100.0), zhili.steps.Aggregate()],
        ties="average",
    )
    assert p.ties == "average"
    assert p.step_types == ["impute", "normalise", "aggregate"]
    assert zhili.Pipeline.from_toml_str(p.to_toml()) == p
    assert zhili.Pipeline.from_json_str(p.to_json()) == p
    assert zhili.Pipeline.from_dict(p.to_dict()) == p
    assert zhili.Pipeline(p.steps, ties="average") == p
    p.to_toml(tmp_path / "p.toml")
    assert zhili.Pipeline.from_toml(tmp_path / "p.toml") == p
    assert "Impute(method='group_mean', group='region')" in repr(p)
    assert "<ol>" in p._repr_html_()
    assert zhili.Pipeline() == zhili.Pipeline.default()


def test_pickle(fw: zhili.Framework, data: pd.DataFrame) -> None:
    p = zhili.Pipeline(AGG, ties="dense")
    assert pickle.loads(pickle.dumps(fw)) == fw
    assert pickle.loads(pickle.dumps(p)) == p
    assert pickle.loads(pickle.dumps(fw._inner)) == fw._inner
    res = zhili.score(fw, data, p)
    back = pickle.loads(pickle.dumps(res))
    pd.testing.assert_frame_equal(back.scores, res.scores)
    pd.testing.assert_frame_equal(back.ranks, res.ranks)
    assert back.stages == res.stages
    assert back._run.ties == "dense"
    assert repr(back) == repr(res)
    e = pickle.loads(pickle.dumps(zhili.Problem("x", "cycle", "m")))
    assert e == zhili.Problem("x", "cycle", "m")


def test_score_dataframe(fw: zhili.Framework, data: pd.DataFrame) -> None:
    res = zhili.score(fw, data, AGG)
    assert res.scores.index.name == "unit"
    assert list(res.scores.index) == ["a", "b", "c"]
    assert list(res.scores.columns) == fw.node_ids
    # no normalisation: indicators pass through, safety = mean(crime, trust), index = (2·safety + courts) / 3
    s = res.scores
    assert s.loc["c", "safety"] == pytest.approx(5.5)
    assert s.loc["c", "index"] == pytest.approx((2 * 5.5 + 3) / 3)
    assert res.ranks.loc["c", "index"] == 1
    assert res.index.idxmax() == "c"
    assert list(res.ranking().index) == ["c", "b", "a"]
    assert list(res.ranking()["name"]) == ["丙", "乙", "甲"]
    assert res.effective_weights["safety"] == pytest.approx(2 / 3)
    assert res.stage("raw")["courts"].dtype == np.float64


def test_score_unit_from_index(fw: zhili.Framework, data: pd.DataFrame) -> None:
    res = zhili.score(fw, data.rename(columns={"unit": "county"}).set_index("county"), AGG)
    assert res.scores.index.name == "county"
    assert list(res.scores.index) == ["a", "b", "c"]


def test_score_weights(fw: zhili.Framework, data: pd.DataFrame) -> None:
    res = zhili.score(fw, data, AGG, weights={"safety": 1.0})
    assert res.scores.loc["c", "index"] == pytest.approx((5.5 + 3) / 2)
    assert res.framework.effective_weights["courts"] == pytest.approx(0.5)


def test_score_ties(fw: zhili.Framework) -> None:
    df = pd.DataFrame({"unit": list("abc"), "crime": [1.0, 1, 2], "trust": [1.0, 1, 0], "courts": [1.0, 1, 0]})
    assert zhili.score(fw, df, zhili.Pipeline(AGG)).ranks["index"].tolist() == [1, 1, 3]
    assert zhili.score(fw, df, zhili.Pipeline(AGG, ties="dense")).ranks["index"].tolist() == [1, 1, 2]


def test_missing_values_stay_missing(fw: zhili.Framework, data: pd.DataFrame) -> None:
    data.loc[1, "trust"] = np.nan
    res = zhili.score(fw, data, AGG)
    assert np.isnan(res.stage("raw").loc["b", "trust"])
    assert res.scores.loc["b", "safety"] == 2.0  # weights re-normalised over present children


def test_panel_time(fw: zhili.Framework, data: pd.DataFrame) -> None:
    panel = pd.concat([data.assign(year=2020), data.assign(year=2021)], ignore_index=True)
    # One rule with `zhili score`: the latest year unless told (issue 21).
    res = zhili.score(fw, panel, AGG, time="year")
    assert res.scores.index.names == ["unit", "time"]
    assert len(res.scores) == 3
    assert set(res.scores.index.get_level_values("time")) == {2021}
    each = zhili.score(fw, panel, AGG, time="year", year="all")
    assert sorted(each) == [2020, 2021]
    assert each[2021].scores.loc[("c", 2021), "index"] == each[2020].scores.loc[("c", 2020), "index"]
    with pytest.raises(zhili.DataError, match="`a`"):
        zhili.score(fw, pd.concat([panel, panel.iloc[3:4]]), AGG, time="year")


def test_keep_stages_false_same_results(fw: zhili.Framework, data: pd.DataFrame) -> None:
    data.loc[1, "trust"] = np.nan
    pipe = [zhili.steps.Impute("mean"), zhili.steps.Normalise("minmax", lo=0.0, hi=100.0), zhili.steps.Aggregate()]
    full = zhili.score(fw, data, pipe)
    fast = zhili.score(fw, data, pipe, keep_stages=False)
    # the streaming path keeps the aggregate nodes only
    aggregates = [n for n in full.scores.columns if n not in fw.indicator_ids]
    assert list(fast.scores.columns) == aggregates
    pd.testing.assert_frame_equal(fast.scores, full.scores[aggregates])
    pd.testing.assert_frame_equal(fast.log, full.log)
    assert fast.stages == ["aggregated"]
    with pytest.raises(zhili.UnknownIdError, match="imputed"):
        fast.stage("imputed")


def test_numpy_zero_copy_and_labels(fw: zhili.Framework) -> None:
    x = np.asfortranarray(np.arange(12, dtype=np.float64).reshape(4, 3) + 1)
    res = zhili.score(fw, x, AGG, unit_ids=["p", "q", "r", "s"])
    assert list(res.scores.index) == ["p", "q", "r", "s"]
    s = res.scores_array()
    assert not s.flags.writeable and not s.flags.owndata  # a view of the engine's memory
    assert s.base is not None
    # int arrays and nested lists are converted
    res2 = zhili.score(fw, [[1, 2, 3], [4, 5, 6]], AGG)
    assert list(res2.scores.index) == ["0", "1"]
    # column order given explicitly
    res3 = zhili.score(fw, x[:, ::-1], AGG, unit_ids=list("pqrs"), columns=["courts", "trust", "crime"])
    np.testing.assert_array_equal(res3.scores_array(), s)


def test_gil_released_during_computation() -> None:
    """While the engine computes, another Python thread keeps running."""
    n, m = 200_000, 40
    fw = zhili.Framework.from_dict(
        {"version": 1, "nodes": [{"id": "i"}] + [{"id": f"x{j}", "parent": "i"} for j in range(m)]}
    )
    x = np.random.default_rng(1).random((n, m))
    ids = [str(i) for i in range(n)]
    pipe = zhili.Pipeline(AGG)._inner
    stamps: list = []
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            stamps.append(time.perf_counter())

    t = threading.Thread(target=tick)
    t.start()
    try:
        durations = []
        inside = 0
        for _ in range(3):
            t0 = time.perf_counter()
            zhili._native.score(fw._inner, pipe, ids, fw.indicator_ids, x)
            t1 = time.perf_counter()
            durations.append(t1 - t0)
            lo, hi = t0 + 0.5 * (t1 - t0), t0 + 0.9 * (t1 - t0)
            inside += sum(lo <= s <= hi for s in list(stamps))
    finally:
        stop.set()
        t.join()
    assert inside > 0, f"no Python thread ran during {durations} s of native computation"


def test_read_csv_encodings(tmp_path: Path) -> None:
    # enough non-ASCII bytes (zhili_io::MIN_EVIDENCE) for a confident GBK guess
    text = "unit,名称,crime\n五华,甲,1.5\n盘龙,昆明市盘龙区,2.5\n"
    for enc, want in [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("gbk", "gb18030"), ("utf-16", "utf-16")]:
        p = tmp_path / f"{enc}.csv"
        p.write_bytes(text.encode(enc))
        df = zhili.read_csv(p)
        assert df.attrs["encoding"] == want
        assert df.columns.tolist() == ["unit", "名称", "crime"] and df.iloc[0, 0] == "五华"


def test_score_from_csv_path(fw: zhili.Framework, data: pd.DataFrame, tmp_path: Path) -> None:
    p = tmp_path / "d.csv"
    data = data.assign(name=["五华区", "盘龙区", "官渡区"])  # enough GBK evidence to detect
    p.write_bytes(data.to_csv(index=False).encode("gbk"))
    res = zhili.score(fw, p, AGG)
    pd.testing.assert_frame_equal(res.scores, zhili.score(fw, data, AGG).scores)


def test_results_repr_html(fw: zhili.Framework, data: pd.DataFrame) -> None:
    res = zhili.score(fw, data, AGG)
    h = res._repr_html_()
    assert h.index(">c<") < h.index(">b<") < h.index(">a<")  # ranked, best first
    assert "rank" in h and "丙" in h
    r = repr(res)
    assert r.startswith("Results(3 units × 5 nodes") and "rank" in r


def test_bundled_sample_default_pipeline() -> None:
    s = zhili.datasets.load()
    res = s.score()
    assert res.stages[0] == "raw" and res.stages[-1] == "aggregated"
    assert list(res.scores.columns) == s.framework.node_ids
    latest = s.data[s.time].max()  # panel data: the latest year, as `zhili score`
    assert len(res.scores) == int((s.data[s.time] == latest).sum())
    assert res.normaliser is not None
    for name in zhili.datasets.names():
        other = zhili.datasets.load(name)
        assert len(other.score().scores) > 0, name


def test_steps_from_dict_round_trip() -> None:
    for s in [zhili.steps.Denominate(scale=2.0), zhili.steps.Screen(0.8), zhili.steps.Treat(max_points=3), zhili.steps.Step("x", a=1)]:
        assert zhili.steps.Step.from_dict(s.to_dict()) == s
        assert json.loads(json.dumps(s.to_dict())) == s.to_dict()


def test_dataframes_are_writable_copies(fw: zhili.Framework, data: pd.DataFrame) -> None:
    res = zhili.score(fw, data, AGG)
    df = res.scores
    df.loc["a", "index"] = -1.0
    df["extra"] = 1
    st = res.stage("raw")
    st.iloc[0, 0] = 99.0
    assert res.scores.loc["a", "index"] != -1.0  # the results themselves are unchanged
    assert res.stage("raw").iloc[0, 0] != 99.0
