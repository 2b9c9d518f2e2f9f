"""The PySpark and Ray recipes of py-bindings/README.md ("Spark and Ray: the same objects"),
executed exactly as the README prints them (the ```python blocks whose first line is
``# recipe: NAME``), checked against the one-machine ``zhili.score`` / ``zhili.uncertainty``
on the whole table.

pyspark (with a Java runtime) and ray are installed by scripts/test-python.sh; outside CI a
missing one skips its tests, in CI (``CI=true``) it fails them."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, Iterator

import numpy as np
import pandas as pd
import pytest

import zhili

README = Path(__file__).resolve().parents[1] / "README.md"
RECIPES = {"data", "spark", "ray", "uncertainty"}


def recipes() -> Dict[str, str]:
    """The README's recipe blocks by name."""
    text = README.read_text(encoding="utf-8")
    return {m.group(1): m.group(0) for m in re.finditer(r"(?<=```python\n)# recipe: (\w+)\n.*?(?=```)", text, flags=re.S)}


def need(module: str) -> Any:
    """Import ``module``; a missing one skips, except in CI, where it is an install bug."""
    if os.environ.get("CI") == "true":
        return importlib.import_module(module)
    return pytest.importorskip(module)


def run(name: str) -> Dict[str, Any]:
    """Execute recipe ``name`` as printed in the README; its variables."""
    ns: Dict[str, Any] = {"__name__": f"readme_recipe_{name}"}
    exec(compile(recipes()[name], f"{README}#recipe:{name}", "exec"), ns)  # noqa: S102 - our own README
    return ns


def test_the_readme_has_every_recipe() -> None:
    assert set(recipes()) == RECIPES


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The data recipe's files (framework.toml, villages/*.parquet) in a fresh directory,
    the current directory while the recipes run; Spark and Ray stopped afterwards."""
    path = tmp_path_factory.mktemp("recipes")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(path)
        # Spark's Python workers: this interpreter (it has zhili), no web UI; Ray: no usage reporting.
        mp.setenv("PYSPARK_PYTHON", sys.executable)
        mp.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        # (one partition per file: Spark would pack the 4 small files into 2)
        mp.setenv("PYSPARK_SUBMIT_ARGS", "--conf spark.ui.enabled=false --conf spark.sql.files.minPartitionNum=4 pyspark-shell")
        mp.setenv("RAY_USAGE_STATS_ENABLED", "0")
        run("data")
        yield path
        if "pyspark" in sys.modules:
            from pyspark.sql import SparkSession

            active = SparkSession.getActiveSession()
            if active is not None:
                active.stop()
        if "ray" in sys.modules:
            sys.modules["ray"].shutdown()


def one_machine(path: Path) -> tuple:
    """The framework, the whole table (the 4 files in order) and ``zhili.score`` of it."""
    fw = zhili.Framework.from_toml(path / "framework.toml")
    whole = pd.concat([pd.read_parquet(path / "villages" / f"part-{k}.parquet") for k in range(4)], ignore_index=True)
    return fw, whole, zhili.score(fw, whole, unit="code")


def check_scores_and_ranks(table: pd.DataFrame, res: Any) -> None:
    """Every aggregate's score within 1e-12 of the one-machine run's; the index ranks identical."""
    aggregates = ["index", "D1", "D2", "D3", "D4", "D5"]
    assert sorted(table.columns) == sorted(aggregates + ["rank"])
    one = res.scores[aggregates]
    assert sorted(table.index) == sorted(one.index) and len(table) == 20_000
    got = table.loc[one.index]
    # (Ray Data gives pyarrow-backed columns: compared as float64)
    np.testing.assert_allclose(got[aggregates].to_numpy(dtype=float), one.to_numpy(dtype=float), rtol=1e-12, atol=1e-12)
    want = res.index_ranks.to_numpy()
    np.testing.assert_array_equal(got["rank"].to_numpy(dtype=float), want)
    # the documented tie rule ("min", 1 = best) by pandas, and ties do cross the partitions
    np.testing.assert_array_equal(want, res.index.rank(method="min", ascending=False).to_numpy())
    twins = [f"V{k}0000" for k in range(4)]
    assert got.loc[twins, "rank"].nunique() == 1 and (pd.Series(want).value_counts() >= 4).sum() >= 20


def test_spark_recipe_scores_and_ranks_equal_one_machine(workdir: Path) -> None:
    need("pyspark")
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        pytest.fail("pyspark needs a Java runtime: scripts/test-python.sh installs one")
    ns = run("spark")
    assert ns["villages"].rdd.getNumPartitions() == 4 and len(ns["parts"]) == 4
    _, _, res = one_machine(workdir)
    check_scores_and_ranks(pd.read_parquet(workdir / "scores-spark").set_index("code"), res)


def test_ray_recipe_scores_and_ranks_equal_one_machine(workdir: Path) -> None:
    need("ray")
    ns = run("ray")
    assert len(ns["parts"]) == 4  # a PartialFit per block, merged
    _, whole, res = one_machine(workdir)
    check_scores_and_ranks(pd.read_parquet(workdir / "scores-ray").set_index("code"), res)
    # the merged partial fits are zhili.fit on the whole table (to 1e-12: exact sums vs running sums)
    fitted, one = ns["fitted"].to_dict(), zhili.fit(ns["fw"], whole, unit="code").to_dict()
    imp, imp_one = fitted["pipeline"]["steps"][1], one["pipeline"]["steps"][1]
    assert imp["type"] == "impute_fitted" and imp["values"].keys() == imp_one["values"].keys()
    for ind, v in imp_one["values"].items():
        assert imp["values"][ind] == pytest.approx(v, rel=1e-12)


def test_uncertainty_recipe_equals_one_machine(workdir: Path) -> None:
    need("pyspark")
    need("ray")
    ns = run("uncertainty")
    fw, whole, _ = one_machine(workdir)
    one = zhili.uncertainty(fw, whole, None, factors=ns["factors"], runs=200, seed=7, unit="code").index
    assert len(ns["blocks"]) == 8
    for name in ("spark_hist", "ray_hist"):
        stats = pd.DataFrame(ns[name].stats(ns["nominal"]), index=whole["code"])
        for col in ("mean", "median", "p5", "p95", "mean_abs_shift"):
            np.testing.assert_array_equal(stats[col].to_numpy(), one[col].to_numpy(), err_msg=f"{name} {col}")
    pd.testing.assert_frame_equal(ns["stats"], pd.DataFrame(ns["ray_hist"].stats(ns["nominal"]), index=whole["code"]))
    # the histograms hold every run of every unit: 200 ranks each
    assert ns["spark_hist"].counts.sum() == ns["ray_hist"].counts.sum() == 200 * len(whole)
