"""zhili.plot with the Agg backend: the drawn data equal the results; Chinese names render with
the CJK font (no missing-glyph warning); the no-font warning fires once; Results.to_html_report."""

import json
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import zhili  # noqa: E402
import zhili.plot as zp  # noqa: E402


@pytest.fixture(scope="module")
def sample():
    s = zhili.datasets.load()
    if s.time:  # one period: one row per unit
        s = s._replace(data=s.data[s.data[s.time] == s.data[s.time].max()].drop(columns=[s.time]), time=None)
    return s


@pytest.fixture(scope="module")
def res(sample):
    return sample.score()


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _draw(ax):
    """Render and return the warnings raised while drawing."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ax.figure.canvas.draw()
    return [str(x.message) for x in w]


def _names(res):
    names = res._unit_names or {}
    return {u: names.get(u) or u for u in res.unit_ids}


def test_bar_heights_and_labels_equal_the_index(res):
    ax = zp.bar(res)
    heights = [p.get_height() for p in ax.patches]
    want = res.index.sort_values(ascending=False, kind="stable")
    assert heights == pytest.approx(want.to_numpy(), abs=0)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [_names(res)[u] for u in want.index]
    # Chinese unit names are drawn, with a CJK font and no missing glyph
    assert any(re.search("[\u4e00-\u9fff]", s) for s in labels)
    assert zp.cjk_font() is not None
    assert not [m for m in _draw(ax) if "missing from" in m or "Glyph" in m]


def test_bar_colours_follow_the_grades(res):
    g = res.grade(["差", "中", "良", "优"], thresholds=[60, 70, 85])
    ax = zp.bar(res, grades=g)
    order = res.index.sort_values(ascending=False, kind="stable").index
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    by_grade = {}
    for u, c in zip(order, colours):
        by_grade.setdefault(str(g[u]), set()).add(c)
    # one colour per grade, different grades different colours
    assert all(len(c) == 1 for c in by_grade.values())
    assert len({next(iter(c)) for c in by_grade.values()}) == len(by_grade)
    # quartile grading without grades: 4 colours at most
    ax2 = zp.bar(res, by_grade=True)
    assert len({matplotlib.colors.to_hex(p.get_facecolor()) for p in ax2.patches}) <= 4
    ax3 = zp.bar(res, by_grade=False)
    assert len({matplotlib.colors.to_hex(p.get_facecolor()) for p in ax3.patches}) == 1


def test_bar_of_a_node_and_accessor(res):
    node = res.framework.nodes[1]["id"]
    ax = res.plot.bar(node, by_grade=False)
    assert sorted(p.get_height() for p in ax.patches) == sorted(res.scores[node].dropna().tolist())
    fig, own = plt.subplots()
    assert res.plot.bar(ax=own) is own


def test_dot_positions_and_highlight(res):
    node = res.framework.indicator_ids[0]
    unit = res.unit_ids[3]
    ax = zp.dot(res, node, highlight=unit)
    xs = ax.collections[0].get_offsets()[:, 0]
    assert sorted(xs) == sorted(res.scores[node].dropna().tolist())
    assert ax.collections[1].get_offsets()[0, 0] == res.scores.loc[unit, node]
    assert ax.texts[0].get_text() == _names(res)[unit]
    with pytest.raises(zhili.UnknownIdError):
        zp.dot(res, node, highlight="no-such-unit")


def test_dist_medians(res):
    dims = [n for n in res.framework.nodes if n["parent"] == res.index_id]
    ids = [d["id"] for d in dims]
    ax = zp.dist(res, ids)
    med = ax.collections[-1]  # the medians' line collection comes last
    ys = [seg[0][1] for seg in med.get_segments()]
    assert ys == pytest.approx([float(np.median(res.scores[i].dropna())) for i in ids])
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [d["name_zh"] or d["id"] for d in dims]
    ax = zp.dist(res, ids[0], kind="box")
    assert ax.lines  # whiskers, caps, median
    with pytest.raises(ValueError):
        zp.dist(res, ids[0], kind="pie")


def test_corr_matrix_equals_numpy(res):
    ax = zp.corr(res, level=2)
    ids = [n["id"] for n in res.framework.nodes if n["level"] == 2]
    m = ax.images[0].get_array()
    x = res.scores_array()[:, [res.node_ids.index(i) for i in ids]]
    want = np.corrcoef(x, rowvar=False)  # complete data: numpy's Pearson is the peer
    assert np.allclose(np.asarray(m), want, atol=1e-12)
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        n["name_zh"] or n["id"] for n in res.framework.nodes if n["level"] == 2
    ]


def test_scatter_offsets(res):
    a, b = res.framework.indicator_ids[:2]
    ax = zp.scatter(res, a, b, lang="en")
    off = ax.collections[0].get_offsets()
    assert off[:, 0].tolist() == res.scores[a].tolist()
    assert off[:, 1].tolist() == res.scores[b].tolist()
    en = {n["id"]: n["name_en"] or n["id"] for n in res.framework.nodes}
    assert ax.get_xlabel() == en[a]


def test_framework_wedges_span_effective_weights(res):
    ax = zp.framework(res)
    ew = res.framework.effective_weights
    wedges = [p for p in ax.patches if p.get_gid()]
    assert {w.get_gid() for w in wedges} == set(ew) - {res.index_id}
    for w in wedges:
        span = (w.theta2 - w.theta1) % 360 or 360.0
        assert span == pytest.approx(360 * ew[w.get_gid()], abs=1e-9), w.get_gid()
    assert not [m for m in _draw(ax) if "missing from" in m or "Glyph" in m]


def test_uncertainty_interval_ends(sample):
    ua = zhili.uncertainty(
        sample.framework,
        sample.data,
        sample.pipeline,
        unit=sample.unit,
        factors=[{"type": "weights", "spread": 0.25}],
        runs=200,
        seed=3,
    )
    ax = zp.uncertainty(ua)
    st = ua.index.sort_values("nominal_rank", kind="stable")
    segs = ax.collections[0].get_segments()
    assert [s[0][1] for s in segs] == st["p5"].tolist()
    assert [s[1][1] for s in segs] == st["p95"].tolist()
    assert ax.collections[1].get_offsets()[:, 1].tolist() == st["nominal_rank"].tolist()
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(u) for u in st.index]


def test_sensitivity_bars_and_intervals(sample):
    sa = zhili.sensitivity(
        sample.framework,
        sample.data,
        sample.pipeline,
        unit=sample.unit,
        factors=[{"type": "weights", "spread": 0.25}, {"type": "exclude"}],
        n=64,
        seed=3,
        resamples=200,
    )
    ax = zp.sensitivity(sa)
    bars = [c for c in ax.containers if isinstance(c, matplotlib.container.BarContainer)]
    assert [p.get_height() for p in bars[0]] == sa["first"].tolist()
    assert [p.get_height() for p in bars[1]] == sa["total"].tolist()
    errs = [c for c in ax.containers if isinstance(c, matplotlib.container.ErrorbarContainer)]
    seg = errs[0].lines[2][0].get_segments()
    assert [s[0][1] for s in seg] == pytest.approx(sa["first_lo"].tolist(), abs=1e-12)
    assert [s[1][1] for s in seg] == pytest.approx(sa["first_hi"].tolist(), abs=1e-12)


def test_no_font_warns_once(monkeypatch, res):
    monkeypatch.setattr(zp, "_installed_families", lambda: set())
    monkeypatch.setattr(zp, "_state", {"font": None, "checked": False, "warned": False})
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        zp.bar(res)
        zp.dot(res, res.index_id)
    hits = [x for x in w if issubclass(x.category, zp.CJKFontWarning)]
    assert len(hits) == 1
    assert "fonts-noto-cjk" in str(hits[0].message)


def test_html_report_embeds_the_results(sample, res, tmp_path):
    path = tmp_path / "r.html"
    html = res.to_html_report(path, lang="zh", grading=sample.grading)
    assert path.read_text(encoding="utf-8") == html
    m = re.search(r'<script type="application/json" id="zhili-data">(.*?)</script>', html, re.S)
    d = json.loads(m.group(1))
    assert d["lang"] == "zh" and d["labels"]["ranking"] == "排名"
    got = {u["id"]: u["score"] for u in d["units"]}
    assert got == res.index.to_dict()
    assert d["grading"] is not None and all(u["grade"] is not None for u in d["units"])
    en = res.to_html_report(lang="en", uncertainty=50, sensitivity=16)
    d = json.loads(re.search(r'id="zhili-data">(.*?)</script>', en, re.S).group(1))
    assert d["uncertainty"]["runs"] == 50 and d["sensitivity"]["n"] == 16
    with pytest.raises(zhili.ZhiliError):
        res.to_html_report(lang="fr")
