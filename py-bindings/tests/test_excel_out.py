"""``Results.to_excel``: the workbook read back with openpyxl (an independent reader)."""

import math
import os

import pytest

import zhili

openpyxl = pytest.importorskip("openpyxl")


def _cross_section():
    """A bundled sample with names, a grading and one row per unit (no panel years)."""
    for name in zhili.datasets.names():
        s = zhili.datasets.load(name)
        if s.time is None and s.names and s.grading:
            return s
    pytest.skip("no bundled cross-section sample with names and grading")


@pytest.fixture(scope="module")
def sample():
    s = _cross_section()
    return s, s.score()


def _rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_scores_read_back_exactly(tmp_path, sample):
    _, res = sample
    path = tmp_path / "results.xlsx"
    res.to_excel(path, lang="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["ranking", "scores", "weights", "log", "framework"]
    rows = _rows(wb["scores"])
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Unit", "Name"]
    scores = res.scores
    assert len(body) == len(scores)
    # columns: the index first, then every other node in framework order
    nodes = [res.index_id] + [n for n in res.node_ids if n != res.index_id]
    for row in body:
        unit = row[0]
        want = scores.loc[unit]
        for node, got in zip(nodes, row[2:]):
            w = float(want[node])
            if math.isnan(w):
                assert got is None
            else:
                assert got == w, (unit, node)  # bit for bit: float equality


def test_ranking_has_ranks_names_and_coloured_grades(tmp_path, sample):
    s, res = sample
    path = tmp_path / "r.xlsx"
    res.to_excel(str(path), lang="zh", stages=True)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:3] == ["排名", "得分", "权重"]
    assert any(n.startswith("阶段 ") for n in wb.sheetnames)
    ws = wb["排名"]
    rows = _rows(ws)
    assert rows[0] == ["排名", "单位代码", "名称", rows[0][3], "等级"]
    ranking = res.ranking()
    first = rows[1]
    assert first[0] == 1
    assert first[1] == str(ranking.index.get_level_values(0)[0])
    assert first[2] == ranking["name"].iloc[0] and first[2]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    fills = {ws.cell(row=r, column=5).value: ws.cell(row=r, column=5).fill.fgColor.rgb for r in range(2, ws.max_row + 1)}
    assert len(fills) >= 2 and len(set(fills.values())) == len(fills), fills
    assert all(isinstance(c, str) and c.endswith(("9FD99B", "D4E89A", "FFE680", "F8C08A", "F48C8C")) for c in fills.values()), fills


def test_text_is_never_a_formula(tmp_path):
    pd = pytest.importorskip("pandas")
    s = _cross_section()
    df = s.data.copy()
    df[s.names] = ["=1+1"] + list(df[s.names].iloc[1:])
    res = zhili.score(s.framework, df, s.pipeline, unit=s.unit, names=s.names, time=s.time)
    path = tmp_path / "f.xlsx"
    res.to_excel(path, lang="en", grading=False)
    ws = openpyxl.load_workbook(path)["ranking"]
    cells = [ws.cell(row=r, column=3) for r in range(2, ws.max_row + 1)]
    hit = [c for c in cells if c.value == "=1+1"]
    assert hit and all(c.data_type == "s" for c in hit)
    assert ws.max_column == 4  # no grade column with grading=False
    assert pd is not None


def test_errors_name_the_problem(tmp_path, sample):
    _, res = sample
    with pytest.raises(zhili.ZhiliError, match="klingon"):
        res.to_excel(tmp_path / "x.xlsx", lang="klingon")
    with pytest.raises(zhili.ZhiliError, match="missing"):
        res.to_excel(tmp_path / "missing" / "x.xlsx")
    assert not os.listdir(tmp_path)
