"""The README's quick start runs (on the bundled sample, written out as the files it names)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import zhili

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_quick_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "no python block in the README"
    s = zhili.datasets.load()
    s.framework.to_toml(tmp_path / "framework.toml")
    data = s.data
    if s.time:  # one period: the README's data has one row per unit
        data = data[data[s.time] == data[s.time].max()]
    data = data.rename(columns={s.unit: "uCode"})
    data["region"] = ["north" if i % 2 else "south" for i in range(len(data))]
    data.to_csv(tmp_path / "data.csv", index=False, encoding="gbk")  # as Excel on Chinese Windows writes it
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(compile(blocks[0], str(README), "exec"), ns)  # noqa: S102 - our own README
    res = ns["res"]
    assert list(res.scores.columns) == s.framework.node_ids
    assert res.stages[-1] == "aggregated" and "treated" in res.stages
    assert os.path.exists("data.csv")
