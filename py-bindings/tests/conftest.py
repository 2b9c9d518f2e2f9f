"""Shared helpers: the repository's reference fixtures (tests/fixtures at the repo root)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
ASEM = FIXTURES / "coinr-asem"

# COINr's build_example_coin(), as a zhili pipeline document.
ASEM_PIPELINE = """
version = 1
[[steps]]
type = "denominate"
[[steps]]
type = "impute"
method = "group_mean"
group = "EurAsia_group"
[[steps]]
type = "screen"
min_coverage = 0.9
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


def read_ref(name: str) -> pd.DataFrame:
    """A reference matrix file (first column uCode), exact floats (the python engine parses with float())."""
    return pd.read_csv(ASEM / name, engine="python").set_index("uCode")


def assert_frame_close(what: str, got: pd.DataFrame, want: pd.DataFrame, tol: float = 1e-9) -> None:
    """Same units (any order) and columns; every value within tol·(1+|want|); NaN only where NaN is expected."""
    assert sorted(got.index) == sorted(want.index), f"{what}: units differ"
    got = got.loc[want.index]
    missing = [c for c in want.columns if c not in got.columns]
    assert not missing, f"{what}: columns missing from zhili's output: {missing}"
    g = got[list(want.columns)].to_numpy(dtype=float, na_value=np.nan)
    w = want.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ok = (g == w) | (np.isnan(g) & np.isnan(w)) | (np.abs(g - w) <= tol * (1 + np.abs(w)))
    if not ok.all():
        i, j = np.argwhere(~ok)[0]
        raise AssertionError(
            f"{what}: {int((~ok).sum())} cells differ; first: unit {want.index[i]}, "
            f"column {want.columns[j]}: got {g[i, j]!r}, want {w[i, j]!r}"
        )


@pytest.fixture(scope="session")
def asem_imeta() -> pd.DataFrame:
    return pd.read_csv(ASEM / "input_ASEM_iMeta.csv", engine="python")


@pytest.fixture(scope="session")
def asem_data() -> pd.DataFrame:
    return pd.read_csv(ASEM / "input_ASEM_iData.csv", engine="python")
