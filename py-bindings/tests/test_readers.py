"""zhili.read_csv / read_excel / read_parquet and zhili.score(fw, path): the Rust readers.

Expected frames are built independently (by hand, or by pandas / pyarrow / openpyxl writing
the file), never from zhili's own earlier output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import zhili

openpyxl = pytest.importorskip("openpyxl")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
feather = pytest.importorskip("pyarrow.feather")

FW = {
    "version": 1,
    "nodes": [
        {"id": "index"},
        {"id": "safety", "parent": "index", "weight": 2.0},
        {"id": "crime", "parent": "safety", "direction": "cost"},
        {"id": "trust", "parent": "safety"},
        {"id": "courts", "parent": "index"},
    ],
}
PIPE = [zhili.steps.Normalise("minmax"), zhili.steps.Aggregate("arithmetic")]

# The frame every file below holds: text ids and names, a missing value, a whole-number
# column without gaps (int64, as pandas reads it), an awkward float.
WANT = pd.DataFrame(
    {
        "unit": [530102, 530124, 530103, 530112],
        "name": ["五华区", "富民县", "盘龙区", "西山区"],
        "crime": [1234.0, 0.12, np.nan, -5.0],
        "trust": [123, 7, 42, 1],
        "courts": [0.1 + 0.2, 2.5, 1e-300, 3.0],
        "region": ["城区", "县", np.nan, "城区"],
    }
)


def _csv(tmp_path: Path, encoding: str = "utf-8") -> Path:
    p = tmp_path / f"d-{encoding}.csv"
    text = (
        "unit,name,crime,trust,courts,region\n"
        "530102,五华区,1234,123,0.30000000000000004,城区\n"
        "530124,富民县,0.12,7,2.5,县\n"
        "530103,盘龙区,NA,42,1e-300,\n"
        "530112,西山区,-5,1,3,城区\n"
    )
    p.write_bytes(text.encode(encoding))
    return p


def _xlsx(tmp_path: Path) -> Path:
    """The same table as a workbook: a Chinese sheet name (not the first sheet), numbers
    typed as text the way people type them ("1,234", "12%", full-width, "－5")."""
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["note"])
    wb.active.append(["read the other sheet"])
    ws = wb.create_sheet("指标数据")
    ws.append(["unit", "name", "crime", "trust", "courts", "region"])
    ws.append(["530102", "五华区", "1,234", "１２３", 0.1 + 0.2, "城区"])
    ws.append(["530124", "富民县", "12%", 7, 2.5, "县"])
    ws.append(["530103", "盘龙区", None, "42", 1e-300, None])
    ws.append(["530112", "西山区", "－5", 1, 3, "城区"])
    p = tmp_path / "数据.xlsx"
    wb.save(p)
    return p


def _arrow_table() -> "pa.Table":
    return pa.table(
        {
            # ids as text: the readers' rule makes a column of numbers numeric, whatever its type
            "unit": pa.array([str(u) for u in WANT["unit"]], pa.string()),
            "name": pa.array(WANT["name"].tolist(), pa.string()),
            "crime": pa.array([1234.0, 0.12, None, -5.0], pa.float64()),
            "trust": pa.array([123, 7, 42, 1], pa.int64()),
            "courts": pa.array(WANT["courts"].tolist(), pa.float64()),
            "region": pa.array(["城区", "县", None, "城区"], pa.string()),
        }
    )


def test_readers_csv_gives_the_hand_built_frame(tmp_path: Path) -> None:
    for enc, label in [("utf-8", "utf-8"), ("gbk", "gb18030"), ("utf-16", "utf-16")]:
        df = zhili.read_csv(_csv(tmp_path, enc))
        assert df.attrs["encoding"] == label
        # unit ids are numbers in the file, so the column is numeric as pandas makes it
        pd.testing.assert_frame_equal(df, WANT)
    # a forced GBK reads as its superset GB18030
    assert zhili.read_csv(_csv(tmp_path, "gbk"), encoding="gbk").attrs["encoding"] == "gb18030"


def test_readers_read_csv_passes_pandas_keywords(tmp_path: Path) -> None:
    df = zhili.read_csv(_csv(tmp_path, "gbk"), dtype={"unit": str})
    assert df.attrs["encoding"] == "gb18030"
    assert df["unit"].tolist() == ["530102", "530124", "530103", "530112"] and df["name"].iloc[0] == "五华区"


def test_readers_excel_equals_csv(tmp_path: Path) -> None:
    p = _xlsx(tmp_path)
    got = zhili.read_excel(p, sheet="指标数据")
    want = zhili.read_csv(_csv(tmp_path))
    want.attrs.clear()
    # text cells holding numbers ("530102", "1,234", "１２３") are numbers, as in the CSV
    pd.testing.assert_frame_equal(got, want)
    # default: the first sheet
    assert zhili.read_excel(p)["note"].tolist() == ["read the other sheet"]


def test_readers_excel_errors_name_sheet_row_column(tmp_path: Path) -> None:
    p = _xlsx(tmp_path)
    with pytest.raises(zhili.ZhiliError, match="没有"):
        zhili.read_excel(p, sheet="没有")
    wb = openpyxl.load_workbook(p)
    wb["指标数据"]["D4"] = "—"
    wb.save(p)
    fw = zhili.Framework.from_dict(FW)
    with pytest.raises(zhili.ParseError) as e:
        zhili.score(fw, p, PIPE, sheet="指标数据")
    msg = str(e.value)
    assert "数据.xlsx" in msg and "指标数据" in msg and "row 4" in msg and "column D" in msg, msg


def test_readers_parquet_and_arrow_equal(tmp_path: Path) -> None:
    pq.write_table(_arrow_table(), tmp_path / "d.parquet")
    feather.write_feather(_arrow_table(), tmp_path / "d.arrow", compression="uncompressed")
    for name in ["d.parquet", "d.arrow"]:
        got = zhili.read_parquet(tmp_path / name)
        pd.testing.assert_frame_equal(got, WANT)
        assert got["courts"].to_numpy().tobytes() == WANT["courts"].to_numpy().tobytes()


def test_readers_score_path_equals_score_frame(tmp_path: Path) -> None:
    fw = zhili.Framework.from_dict(FW)
    pq.write_table(_arrow_table(), tmp_path / "d.parquet")
    feather.write_feather(_arrow_table(), tmp_path / "d.arrow", compression="uncompressed")
    want = zhili.score(fw, WANT, PIPE)
    assert want.scores["index"].notna().all()
    for p in [_csv(tmp_path, "gbk"), _xlsx(tmp_path), tmp_path / "d.parquet", tmp_path / "d.arrow"]:
        got = zhili.score(fw, p, PIPE, sheet="指标数据" if p.suffix == ".xlsx" else None)
        pd.testing.assert_frame_equal(got.scores, want.scores)
        pd.testing.assert_frame_equal(got.ranks, want.ranks)


def test_readers_non_numeric_indicator_names_file(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("unit,crime,trust,courts\na,1,x,2\n", encoding="utf-8")
    with pytest.raises(zhili.ParseError) as e:
        zhili.score(zhili.Framework.from_dict(FW), p, PIPE)
    msg = str(e.value)
    assert "bad.csv" in msg and "line 2" in msg and "column `trust`" in msg and "`x`" in msg, msg
