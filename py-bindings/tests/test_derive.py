"""`zhili.derive_grid_events` / `zhili.grade_households` reproduce the bundled derived tables
(indicators/data/grid-events.csv and household-risk.csv, written by the Rust generator with
default options) number for number."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import zhili

DATA = Path(__file__).resolve().parents[2] / "indicators" / "data"


def test_grid_events_reproduce_bundled_table() -> None:
    log = pd.read_csv(DATA / "grid-events-log.csv", dtype=str, keep_default_na=False)
    got = zhili.derive_grid_events(log, DATA / "grid-events-population.csv", quiet=True)
    want = pd.read_csv(DATA / "grid-events.csv")
    assert got["unit"].tolist() == want["unit"].tolist()
    for c in [c for c in want.columns if c not in ("unit", "name", "data_note")]:
        np.testing.assert_array_equal(got[c].to_numpy(dtype=float), want[c].to_numpy(dtype=float), err_msg=c)
    # a path and a DataFrame are the same input
    pd.testing.assert_frame_equal(zhili.derive_grid_events(DATA / "grid-events-log.csv", DATA / "grid-events-population.csv", quiet=True), got)


def test_households_reproduce_bundled_table() -> None:
    got = zhili.grade_households(DATA / "households.csv", quiet=True)
    want = pd.read_csv(DATA / "household-risk.csv")
    assert got["unit"].tolist() == want["unit"].tolist()
    for c in ["households", "red", "yellow", "green", "red_households_pct", "yellow_households_pct", "household_risk_points_mean"]:
        np.testing.assert_array_equal(got[c].to_numpy(dtype=float), want[c].to_numpy(dtype=float), err_msg=c)


def test_bad_record_names_line_and_warnings_name_unit() -> None:
    log = pd.read_csv(DATA / "grid-events-log.csv", dtype=str, keep_default_na=False).head(20)
    log.loc[4, "reported_at"] = "yesterday"
    with pytest.raises(zhili.ParseError, match="line 6"):
        zhili.derive_grid_events(log, DATA / "grid-events-population.csv")
    few = pd.read_csv(DATA / "grid-events-log.csv", dtype=str, keep_default_na=False).head(3)
    with pytest.warns(zhili.ZhiliWarning, match="unit `"):
        zhili.derive_grid_events(few, DATA / "grid-events-population.csv")
