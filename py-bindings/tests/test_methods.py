"""Weighting shorthands, AHP, benefit of the doubt, combinations, coupling coordination and
obstacle degrees (checked against tests/fixtures/mcdm and hand-computed cases)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import zhili

from conftest import FIXTURES

MCDM = FIXTURES / "mcdm"


@pytest.fixture(scope="module")
def mcdm() -> tuple:
    data = pd.read_csv(MCDM / "dataset.csv", engine="python").set_index("jurisdiction").astype(float)
    crit = pd.read_csv(MCDM / "criteria.csv", engine="python").set_index("criterion")["type"].to_dict()
    return data, crit


def _at_precision(got: float, printed: str) -> None:
    """``got`` equals the printed reference to the printed number of decimals."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    assert abs(got - float(printed)) <= 0.5 * 10.0**-decimals + 1e-15, (got, printed)


# ---- shorthands -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "short,method",
    [
        (zhili.weights.entropy, "entropy"),
        (zhili.weights.critic, "critic"),
        (zhili.weights.coefficient_of_variation, "coefficient_of_variation"),
        (zhili.weights.standard_deviation, "standard_deviation"),
        (zhili.weights.equal, "equal"),
    ],
)
def test_shorthands_equal_compute(mcdm: tuple, short, method: str) -> None:
    data, crit = mcdm
    data = data.copy()
    data.loc["J04", "new_social_housing_units"] = 1.0
    s = short(data, crit)
    assert isinstance(s, pd.Series)
    assert list(s.index) == list(data.columns)
    want = zhili.weights.compute(data, method, directions=crit)
    assert s.to_dict() == want.weights  # the same engine call: bit-identical
    assert s.name == want.method


def test_shorthand_with_framework_equals_for_framework() -> None:
    fw = zhili.Framework.from_dict(
        {"version": 1, "nodes": [{"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i"}]}
    )
    x = pd.DataFrame({"a": [1.0, 2.0, 3.0, 5.0], "b": [4.0, 1.0, 1.5, 1.6]})
    assert zhili.weights.entropy(fw, x) == zhili.weights.for_framework(fw, x, "entropy")
    assert zhili.weights.critic(fw, x) == zhili.weights.for_framework(fw, x, "critic")


def test_pca_shorthand(mcdm: tuple) -> None:
    data, crit = mcdm
    r = zhili.weights.pca(data, crit)
    assert r.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert r.weights.to_dict() == zhili.weights.compute(data, "pca", directions=crit).weights
    assert len(r.eigenvalues) == data.shape[1]
    assert r.eigenvalues == sorted(r.eigenvalues, reverse=True)
    # Correlation matrix: eigenvalues sum to the number of criteria, shares to 1.
    assert sum(r.eigenvalues) == pytest.approx(data.shape[1], abs=1e-9)
    assert r.explained[0] == pytest.approx(r.eigenvalues[0] / data.shape[1], abs=1e-12)
    assert r.retained == sum(1 for e in r.eigenvalues if e >= 1.0)
    assert r.loadings.shape == (data.shape[1], r.retained)


# ---- AHP --------------------------------------------------------------------------------------


def test_ahp_reproduces_reference() -> None:
    m = pd.read_csv(MCDM / "ahp_matrix_4x4.csv", index_col=0)
    ref = pd.read_csv(MCDM / "ahp_results_4x4.csv", dtype=str, keep_default_na=False)
    row = ref[(ref["library"] == "reference_numpy") & ref["method"].str.startswith("principal eigenvector")].iloc[0]
    assert row["RI"] == "Saaty 0.90"
    r = zhili.weights.ahp(m, random_index="saaty1980")
    _at_precision(r.lambda_max, row["lambda_max"])
    _at_precision(r.ci, row["CI"])
    _at_precision(r.cr, row["CR"])
    assert r.ri == 0.90
    assert r.consistent
    assert list(r.weights.index) == ["safety", "health", "education", "governance"]
    for c in r.weights.index:
        _at_precision(r.weights[c], row[f"w_{c}"])
    # The row geometric mean prioritisation against its reference row.
    gm = ref[(ref["library"] == "reference_numpy") & (ref["method"] == "row geometric mean")].iloc[0]
    g = zhili.weights.ahp(m.to_numpy(), list(m.index), prioritisation="geometric_mean")
    for c in g.weights.index:
        _at_precision(g.weights[c], gm[f"w_{c}"])


def test_ahp_inconsistent_matrix() -> None:
    # a > b (9), b > c (9) but c > a (9): wildly intransitive, reciprocal.
    m = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    with pytest.raises(zhili.MethodError, match=r"CR = .* > 0\.1") as e:
        zhili.weights.ahp(m, ["a", "b", "c"])
    assert isinstance(e.value, zhili.ZhiliError)
    r = zhili.weights.ahp(m, ["a", "b", "c"], allow_inconsistent=True)
    assert not r.consistent and r.cr > 0.1
    assert any("allow_inconsistent" in n for n in r.notes)


def test_ahp_non_reciprocal_names_the_cell() -> None:
    m = [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 0.3, 1]]  # 2 · 0.3 ≠ 1
    with pytest.raises(zhili.MethodError, match=r"cell \((b, c|c, b)\)"):
        zhili.weights.ahp(m, ["a", "b", "c"])
    with pytest.raises(zhili.ShapeError):
        zhili.weights.ahp([[1, 2, 3], [0.5, 1, 2]])


def test_ahp_group_geometric_mean() -> None:
    e1 = [[1, 2], [0.5, 1]]
    e2 = [[1, 8], [0.125, 1]]
    r = zhili.weights.ahp([e1, e2], ["x", "y"])
    # geometric mean of 2 and 8 is 4: weights 4/5, 1/5.
    assert r.matrix[0, 1] == pytest.approx(4.0, abs=1e-14)
    assert r.weights["x"] == pytest.approx(0.8, abs=1e-12)


def test_ahp_framework_plugs_into_score() -> None:
    s = zhili.datasets.load()
    fw = s.framework
    root = fw.index_id
    kids = [n["children"] for n in fw.nodes if n["id"] == root][0]
    assert len(kids) >= 2
    n = len(kids)
    m = np.ones((n, n))
    m[0, 1:] = 3.0
    m[1:, 0] = 1 / 3
    w = zhili.weights.ahp_framework(fw, {root: m})
    assert set(w) == set(kids)
    assert sum(w.values()) == pytest.approx(1.0, abs=1e-12)
    assert w[kids[0]] > w[kids[1]]
    assert w[kids[1]] == pytest.approx(w[kids[-1]], abs=1e-12)
    toml_doc = f"[nodes.{root}]\nelements = {list(kids)!r}\nmatrix = {m.tolist()!r}\n".replace("'", '"')
    assert zhili.weights.ahp_framework(fw, toml_doc) == pytest.approx(w, abs=1e-15)
    res = zhili.score(fw, s.data, s.pipeline, unit=s.unit, time=s.time, weights=w)
    eff = res.effective_weights
    assert eff[kids[0]] == pytest.approx(w[kids[0]], abs=1e-12)
    with pytest.raises(zhili.UnknownIdError):
        zhili.weights.ahp_framework(fw, {"no_such_node": [[1, 2], [0.5, 1]]})
    bad = m.copy()
    bad[0, 1] = 5.0
    with pytest.raises(zhili.MethodError, match=root):
        zhili.weights.ahp_framework(fw, {root: bad})


# ---- benefit of the doubt, combinations -------------------------------------------------------


def test_bod_dominant_unit_scores_one(mcdm: tuple) -> None:
    data, crit = mcdm
    r = zhili.weights.benefit_of_the_doubt(data, crit)
    assert r.scores["J03"] == pytest.approx(1.0, abs=1e-9)  # J03 is best on every criterion
    assert ((r.scores >= -1e-12) & (r.scores <= 1 + 1e-12)).all()
    assert r.weights.shape == data.shape and list(r.weights.columns) == list(data.columns)
    assert list(r.scores.index) == list(data.index)
    # Shares of a unit with a positive score sum to 1.
    pos = r.scores > 1e-9
    assert np.allclose(r.shares[pos].sum(axis=1), 1.0, atol=1e-9)
    # Share bounds: no criterion may carry more than 40 % of a unit's score.
    b = zhili.weights.benefit_of_the_doubt(data, crit, share_bounds={c: (0.0, 0.4) for c in data.columns})
    assert (b.shares <= 0.4 + 1e-9).all().all()
    assert (b.scores <= r.scores + 1e-9).all()


def test_combine() -> None:
    a = pd.Series({"x": 0.6, "y": 0.4})
    b = {"x": 0.2, "y": 0.8}
    lin = zhili.weights.combine([a, b], ("linear", 0.25))
    assert isinstance(lin, pd.Series)
    assert lin["x"] == pytest.approx(0.25 * 0.6 + 0.75 * 0.2, abs=1e-15)
    mul = zhili.weights.combine([b, dict(a)], "multiplicative")
    assert mul["x"] == pytest.approx(0.12 / (0.12 + 0.32), abs=1e-15)
    gt = zhili.weights.combine([a, a], "game_theory")
    assert gt.to_dict() == pytest.approx(a.to_dict(), abs=1e-12)
    with pytest.raises(zhili.ZhiliError):
        zhili.weights.combine([a, b], ("linear", 1.5))


# ---- coupling coordination, obstacle degree ---------------------------------------------------


def test_coupling_coordination_hand_computed() -> None:
    # Two subsystems, unit A: U = (0.8, 0.2), unit B: U = (0.3, 0.3).
    # standard C = 2·√(U1·U2)/(U1+U2):   A: 2·√0.16/1.0 = 0.8        B: 2·0.3/0.6 = 1
    # T = (U1 + U2)/2:                    A: 0.5                       B: 0.3
    # D = √(C·T):                         A: √0.4 = 0.632455532…       B: √0.3 = 0.547722557…
    # bands of D (0.1 wide):              A: [0.6, 0.7) 初级协调        B: [0.5, 0.6) 勉强协调
    # modified C = √((1 − |U1−U2|)·Π(Ui / max U)):   A: √(0.4·(1·0.25)) = √0.1,  B: √(1·1) = 1
    u = pd.DataFrame({"economy": [0.8, 0.3], "ecology": [0.2, 0.3]}, index=["A", "B"])
    r = zhili.analysis.coupling_coordination(u, ["economy", "ecology"])
    assert list(r.columns) == ["C", "T", "D", "band"]
    assert r.loc["A", "C"] == pytest.approx(0.8, abs=1e-15)
    assert r.loc["B", "C"] == pytest.approx(1.0, abs=1e-15)
    assert r["T"].tolist() == pytest.approx([0.5, 0.3], abs=1e-15)
    assert r["D"].tolist() == pytest.approx([math.sqrt(0.4), math.sqrt(0.3)], abs=1e-15)
    assert r["band"].tolist() == ["初级协调", "勉强协调"]
    m = zhili.analysis.coupling_coordination(u, variant="modified")
    assert m["C"].tolist() == pytest.approx([math.sqrt(0.1), 1.0], abs=1e-15)
    # Scores on [0, 100] are divided by 100.
    r100 = zhili.analysis.coupling_coordination(u * 100)
    assert r100["D"].tolist() == pytest.approx(r["D"].tolist(), abs=1e-15)
    with pytest.raises(zhili.MissingColumnError):
        zhili.analysis.coupling_coordination(u, ["economy", "society"])


def test_coupling_coordination_from_results() -> None:
    s = zhili.datasets.load()
    res = zhili.score(s.framework, s.data, s.pipeline, unit=s.unit, time=s.time)
    root = s.framework.index_id
    dims = [n["children"] for n in s.framework.nodes if n["id"] == root][0]
    r = zhili.analysis.coupling_coordination(res, dims)
    assert len(r) == len(res.scores)
    assert ((r["D"] >= 0) & (r["D"] <= 1)).all()
    # The goalposts scale (100) of the run is used: same as dividing the scores by hand.
    u = res.scores[dims] / 100.0
    n = len(dims)
    c = n * np.exp(np.log(u).mean(axis=1)) / u.sum(axis=1)
    assert np.allclose(r["C"], c, atol=1e-12)
    assert np.allclose(r["D"], np.sqrt(c * u.mean(axis=1)), atol=1e-12)


def test_obstacle_degree_rows_sum_to_one() -> None:
    s = zhili.datasets.load()
    res = zhili.score(s.framework, s.data, s.pipeline, unit=s.unit, time=s.time)
    o = zhili.analysis.obstacle_degree(res)
    ind = s.framework.indicator_ids
    sums = o[ind].sum(axis=1)
    # The engine's convention: fractions summing to 1 per unit (0 for a unit with no shortfall).
    assert all(abs(v - 1.0) <= 1e-12 or v == 0.0 for v in sums)
    assert (sums > 0).any()
    same = zhili.analysis.obstacle_degree(res.stage("normalised"), s.framework, max=100.0)
    assert np.array_equal(o.to_numpy(), same.to_numpy())
    root = s.framework.index_id
    for n in s.framework.nodes:
        if n["id"] != root and n["children"]:
            leaves = _leaves(s.framework, n["id"])
            assert np.allclose(o[n["id"]], o[leaves].sum(axis=1), atol=1e-12)


def _leaves(fw: zhili.Framework, node: str) -> list:
    by_id = {n["id"]: n for n in fw.nodes}
    out, stack = [], [node]
    while stack:
        k = stack.pop()
        if by_id[k]["children"]:
            stack.extend(by_id[k]["children"])
        else:
            out.append(k)
    return out


def test_obstacle_degree_hand_computed() -> None:
    fw = zhili.Framework.from_dict(
        {
            "version": 1,
            "nodes": [
                {"id": "i"},
                {"id": "a", "parent": "i", "weight": 3},
                {"id": "b", "parent": "i", "weight": 1},
            ],
        }
    )
    # Unit U: shortfalls 1 − 0.5 = 0.5 (a) and 1 − 0.0 = 1 (b); weighted 0.75·0.5 = 0.375 and
    # 0.25·1 = 0.25, so O = 0.375/0.625 = 0.6 and 0.25/0.625 = 0.4.
    x = pd.DataFrame({"a": [50.0, 100.0], "b": [0.0, 100.0]}, index=["U", "Top"])
    o = zhili.analysis.obstacle_degree(x, fw)
    assert o.loc["U", "a"] == pytest.approx(0.6, abs=1e-15)
    assert o.loc["U", "b"] == pytest.approx(0.4, abs=1e-15)
    assert o.loc["Top"].tolist() == [0.0, 0.0, 0.0]


def test_ahp_framework_options_and_experts() -> None:
    fw = zhili.Framework.from_dict(
        {
            "version": 1,
            "nodes": [{"id": "i"}, {"id": "a", "parent": "i"}, {"id": "b", "parent": "i"}, {"id": "c", "parent": "i"}],
        }
    )
    cyclic = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    doc = '[nodes.i]\nelements = ["a", "b", "c"]\nmatrix = ' + repr(cyclic) + "\n"
    with pytest.raises(zhili.MethodError, match=r"CR = "):
        zhili.weights.ahp_framework(fw, doc)
    w = zhili.weights.ahp_framework(fw, doc, allow_inconsistent=True)
    assert sum(w.values()) == pytest.approx(1.0, abs=1e-12)
    # Two experts on the children of i: their geometric mean, as zhili.weights.ahp gives.
    e1 = np.array([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]])
    e2 = np.array([[1, 8, 4], [1 / 8, 1, 1 / 2], [1 / 4, 2, 1]])
    g = zhili.weights.ahp_framework(fw, {"i": [e1, e2]}, allow_inconsistent=True)
    direct = zhili.weights.ahp([e1, e2], ["a", "b", "c"], allow_inconsistent=True)
    assert g == pytest.approx(direct.weights.to_dict(), abs=1e-15)


def test_method_lists_are_the_registries() -> None:
    """``zhili.methods`` reads the engine's registries, and the step docstrings list them."""
    agg = [m.name for m in zhili.methods("aggregate")]
    assert agg[:4] == ["arithmetic", "geometric", "harmonic", "generalised"]
    assert {"topsis", "minimum", "median"} <= set(agg)
    for name in agg:
        assert f"``{name}``" in (zhili.steps.Aggregate.__doc__ or ""), name
    for m in zhili.methods("normalise"):
        assert f"``{m.name}``" in (zhili.steps.Normalise.__doc__ or ""), m.name
    assert {m.family for m in zhili.methods()} == {"normalise", "aggregate", "weighting"}
    assert all(" · " in m.about for m in zhili.methods())
    assert [m for m in zhili.methods("aggregate") if m.name == "grey_relational"][0].defaults == {"rho": 0.5}
    with pytest.raises(zhili.ParameterError, match="family"):
        zhili.methods("aggregation")


def test_median_aggregation_by_hand() -> None:
    """The weighted median through ``zhili.score``; weights a ¼, b ½, c ¼:
    p: 1 (¼), 5 (½), 9 (¼) → cumulative ¼, ¾ → 5; q: 2 (½) first → ½ ≥ ½ → 2;
    r: b missing → 4 (½ of the rest), 6 (½) → 4."""
    fw = zhili.Framework.from_dict(
        {
            "version": 1,
            "nodes": [
                {"id": "index"},
                {"id": "a", "parent": "index", "weight": 1},
                {"id": "b", "parent": "index", "weight": 2},
                {"id": "c", "parent": "index", "weight": 1},
            ],
        }
    )
    x = np.array([[1.0, 5.0, 9.0], [7.0, 2.0, 3.0], [4.0, np.nan, 6.0]])
    res = zhili.score(fw, x, zhili.Pipeline([zhili.steps.Aggregate("median")]), unit_ids=["p", "q", "r"])
    assert res.index.tolist() == [5.0, 2.0, 4.0]


def test_weighting_aliases_and_one_native_path(mcdm: tuple) -> None:
    """The weighting registry's aliases (``cv``, ``sd``) name the same methods."""
    data, _ = mcdm
    assert zhili.weights.compute(data, "cv").weights == zhili.weights.compute(data, "coefficient_of_variation").weights
    assert zhili.weights.compute(data, "sd").weights == zhili.weights.compute(data, "standard_deviation").weights
