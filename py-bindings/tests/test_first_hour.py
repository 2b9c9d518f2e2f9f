"""Issue 21 ("the first hour"): one behaviour across CLI, Python and Rust, both languages,
nothing a newcomer trips on. tests/same_ranking.rs holds the Rust library to the same CLI."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np
import pandas as pd
import pytest

import zhili

REPO = Path(__file__).resolve().parents[2]


def _zhili_bin() -> Path:
    """The `zhili` command of this checkout: $ZHILI_BIN, else built with cargo (a no-op when
    `cargo test` has built it), else an existing target/{debug,release}/zhili."""
    env = os.environ.get("ZHILI_BIN")
    if env:
        return Path(env)
    target = Path(os.environ.get("CARGO_TARGET_DIR", "target"))
    target = target if target.is_absolute() else REPO / target
    cargo = shutil.which("cargo")
    if cargo:
        subprocess.run([cargo, "build", "--quiet", "--bin", "zhili"], cwd=REPO, check=True)
        return target / "debug" / "zhili"
    for p in (target / "debug" / "zhili", target / "release" / "zhili"):
        if p.exists():
            return p
    pytest.skip("no cargo and no built zhili binary: set ZHILI_BIN to run the CLI comparison")
    raise AssertionError  # unreachable


@pytest.fixture(scope="module")
def zhili_bin() -> Path:
    return _zhili_bin()


def _cli_index(binary: Path, *args: str, index_id: str) -> Dict[str, float]:
    out = subprocess.run([str(binary), "score", "--format", "csv", *args], capture_output=True, check=True)
    text = out.stdout.decode("utf-8").lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    unit = "unit" if "unit" in rows[0] else next(iter(rows[0]))
    return {r[unit]: float(r[index_id]) for r in rows}


def _ranking(scores: Dict[str, float]) -> List[str]:
    return [u for u, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]


@pytest.mark.parametrize("name", [n for n in zhili.datasets.names()])
def test_python_and_cli_rank_every_bundled_framework_alike(zhili_bin: Path, name: str) -> None:
    s = zhili.datasets.load(name)
    res = s.score()
    py = {str(u[0] if isinstance(u, tuple) else u): float(v) for u, v in res.index.items()}
    cli = _cli_index(zhili_bin, "--framework", name, index_id=res.index_id)
    assert sorted(py) == sorted(cli), f"{name}: different units"
    for u, v in py.items():
        assert abs(v - cli[u]) <= 1e-9 * max(1.0, abs(v)), f"{name}: {u} Python {v} vs CLI {cli[u]}"
    assert _ranking(py) == _ranking(cli)


def test_panel_scores_the_latest_year_unless_told(zhili_bin: Path) -> None:
    s = zhili.datasets.load("kunming-county")
    latest = s.score()
    assert {t for _, t in latest.index.index} == {2023}
    assert len(latest.unit_ids) == 14  # not 42 unit-years ranked together
    y22 = s.score(year=2022)
    cli22 = _cli_index(zhili_bin, "--year", "2022", index_id=y22.index_id)
    assert _ranking({u: float(v) for (u, _), v in y22.index.items()}) == _ranking(cli22)
    every = s.score(year="all")
    assert sorted(every) == [2021, 2022, 2023]
    for y, r in every.items():
        assert int(r.index_ranks.min()) == 1 and int(r.index_ranks.max()) <= 14  # ranked within the year
    pd.testing.assert_series_equal(every[2022].index, y22.index)
    with pytest.raises(zhili.UnknownIdError, match="2021, 2022, 2023"):
        s.score(year=1999)


def test_ranks_are_nullable_integers_and_ranking_speaks_both_languages() -> None:
    res = zhili.datasets.load().score()
    assert str(res.ranks.dtypes.iloc[0]) == "Int64"
    assert str(res.index_ranks.dtype) == "Int64"
    assert "1.0000" not in repr(res)
    en = res.ranking(top=3, lang="en")
    zh = res.ranking(top=3, lang="zh")
    assert list(en.columns[:2]) == ["Rank", "Name"] and list(zh.columns[:2]) == ["排名", "名称"]
    assert zh.columns[2] == "县域社会治理指数(候选框架)"


def test_grade_takes_the_bundled_grading_and_grading_objects(tmp_path: Path) -> None:
    s = zhili.datasets.load()
    res = s.score()
    g = zhili.Grading(s.grading)
    assert g.thresholds == [60.0, 70.0, 85.0]  # indicators/frameworks/score-grades.grading.toml
    by_text = res.grade(s.grading)
    by_obj = res.grade(g, lang="en")
    p = tmp_path / "grades.toml"
    p.write_text(s.grading, encoding="utf-8")
    by_path = res.grade(str(p))
    assert list(by_text.cat.categories) == ["较差", "一般", "良好", "优秀"]
    assert list(by_obj.cat.categories) == ["poor", "fair", "good", "excellent"]
    idx = res.index.to_numpy()
    want = np.select([idx >= 85, idx >= 70, idx >= 60], ["优秀", "良好", "一般"], "较差")
    assert by_text.astype(str).tolist() == want.tolist() == by_path.astype(str).tolist()


def test_sample_repr_is_short_and_has_html() -> None:
    s = zhili.datasets.load()
    r = repr(s)
    assert len(r.splitlines()) <= 6 and "version = 1" not in r and "kunming-county" in r
    assert "<b>Sample</b>" in s._repr_html_()


def test_analysis_results_render_in_jupyter() -> None:
    s = zhili.datasets.load("asem-coinr")
    rep = zhili.audit(s.framework, s.data, s.pipeline, unit=s.unit, time=s.time)
    h = rep._repr_html_()
    assert "AuditReport" in h and "<table" in h
    ua = zhili.uncertainty(
        s.framework, s.data, s.pipeline, unit=s.unit, time=s.time, factors=[{"type": "weights", "spread": 0.2}], runs=20, seed=1
    )
    assert "UncertaintyResult" in ua._repr_html_() and "<table" in ua._repr_html_()


def test_an_empty_log_says_why() -> None:
    fw = zhili.Framework.from_dict({"version": 1, "nodes": [{"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i"}]})
    res = zhili.score(fw, np.array([[1.0, 2.0], [3.0, 4.0]]), [zhili.steps.Aggregate("arithmetic")])
    log = res.log
    assert log.empty and list(log.columns)[:3] == ["step", "action", "level"]
    assert "no step changed" in log.attrs["why"] and "log: empty" in repr(res)


AHP_FW = {
    "version": 1,
    "nodes": [
        {"id": "i", "name": {"zh": "指数", "en": "Index"}},
        {"id": "a", "parent": "i", "name": {"zh": "公共安全", "en": "Public safety"}},
        {"id": "b", "parent": "i"},
        {"id": "c", "parent": "i"},
    ],
}


def test_ahp_framework_takes_a_path_fractions_and_rounded_reciprocals(tmp_path: Path) -> None:
    fw = zhili.Framework.from_dict(AHP_FW)
    exact = zhili.weights.ahp_framework(fw, {"i": [[1, 3, 9], [1 / 3, 1, 3], [1 / 9, 1 / 3, 1]]})
    doc = '[nodes.i]\nelements = ["a", "b", "c"]\nmatrix = [[1, 3, 9], ["1/3", 1, 3], ["1/9", "1/3", 1]]\n'
    p = tmp_path / "ahp.toml"
    p.write_text(doc, encoding="utf-8")
    for src in (p, str(p), doc):
        w = zhili.weights.ahp_framework(fw, src)
        assert w == pytest.approx(exact, abs=1e-12)
    # 0.33 and 0.111 as people round 1/3 and 1/9: accepted (tolerance 0.05), close to exact
    rounded = zhili.weights.ahp_framework(fw, {"i": [[1, 3, 9], [0.33, 1, 3], [0.111, 0.33, 1]]})
    assert rounded == pytest.approx(exact, abs=0.01)
    with pytest.raises(zhili.MethodError, match="not reciprocal"):
        zhili.weights.ahp_framework(fw, {"i": [[1, 3, 9], [3, 1, 3], [1 / 9, 1 / 3, 1]]})


def test_ahp_documents_refuse_unknown_keys_and_judging_nothing() -> None:
    fw = zhili.Framework.from_dict(AHP_FW)
    other_tool = 'criteria = ["a", "b", "c"]\nmatrix = [[1, 3, 9], [0.333, 1, 3], [0.111, 0.333, 1]]\n'
    with pytest.raises(zhili.ParseError, match="criteria") as e:
        zhili.weights.ahp_framework(fw, other_tool)
    assert e.value.line == 1  # type: ignore[attr-defined]
    with pytest.raises(zhili.ZhiliError, match="judges no node"):
        zhili.weights.ahp_framework(fw, "[options]\nmax_cr = 0.2\n")


def test_weights_by_name_and_did_you_mean() -> None:
    fw = zhili.Framework.from_dict(AHP_FW)
    x = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    pipe = [zhili.steps.Aggregate("arithmetic")]
    by_id = zhili.score(fw, x, pipe, weights={"a": 2}).index.tolist()
    assert zhili.score(fw, x, pipe, weights={"公共安全": 2}).index.tolist() == by_id
    assert zhili.score(fw, x, pipe, weights={"Public safety": 2}).index.tolist() == by_id
    with pytest.raises(zhili.UnknownIdError, match="did you mean `公共安全`"):
        zhili.score(fw, x, pipe, weights={"公共安金": 2})


def test_missing_pandas_names_a_command_that_works(monkeypatch: pytest.MonkeyPatch) -> None:
    from zhili import _compat

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError, match=r"python -m pip install pandas") as e:
        _compat.pandas()
    assert "zhili[pandas]" not in str(e.value)


def test_pandas_is_a_dependency_of_the_package() -> None:
    text = (REPO / "py-bindings" / "pyproject.toml").read_text(encoding="utf-8")
    deps = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert "pandas" in deps

