"""Every ```python block of README.md and py-bindings/README.md runs (on the bundled sample,
written out as the files the blocks name). Shell blocks run in tests/readme_blocks.rs; the
Spark and Ray recipes (blocks starting ``# recipe: NAME``) in test_spark_ray_recipes.py."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import zhili

ROOT = Path(__file__).resolve().parents[2]
READMES = [ROOT / "README.md", ROOT / "py-bindings" / "README.md"]

# A pipeline with every stage the blocks ask for (`res.stage("treated")`).
PIPELINE = """version = 1
[[steps]]
type = "impute"
method = "mean"
[[steps]]
type = "treat"
method = "winsorise"
max_points = 5
skew = 2.0
kurtosis = 3.5
[[steps]]
type = "normalise"
method = "minmax"
lo = 0.0
hi = 100.0
[[steps]]
type = "aggregate"
method = "arithmetic"
"""


def _blocks() -> list:
    out = []
    for readme in READMES:
        for k, body in enumerate(re.findall(r"```python\n(.*?)```", readme.read_text(encoding="utf-8"), flags=re.S)):
            if body.startswith("# recipe: "):  # run on their own data by test_spark_ray_recipes.py
                continue
            out.append(pytest.param(readme, body, id=f"{readme.parent.name}/{readme.name}#{k + 1}"))
    return out


def test_every_readme_has_a_python_block() -> None:
    assert {p.values[0] for p in _blocks()} == set(READMES)


@pytest.mark.parametrize("readme,block", _blocks())
def test_readme_python_block_runs(readme: Path, block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = zhili.datasets.load()
    s.framework.to_toml(tmp_path / "framework.toml")
    data = s.data
    if s.time:  # one period: the README's data has one row per unit
        data = data[data[s.time] == data[s.time].max()]
    data = data.assign(uCode=data[s.unit])
    data["region"] = ["north" if i % 2 else "south" for i in range(len(data))]
    data.to_csv(tmp_path / "data.csv", index=False, encoding="gbk")  # as Excel on Chinese Windows writes it
    (tmp_path / "pipeline.toml").write_text(PIPELINE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(compile(block, str(readme), "exec"), ns)  # noqa: S102 - our own README
    res = ns["res"]
    assert list(res.scores.columns) == s.framework.node_ids
    assert res.stages[-1] == "aggregated"
    if "pipeline.toml" in block:  # the quick start's pipeline treats (winsorises)
        assert "treated" in res.stages
    assert os.path.exists("data.csv")
