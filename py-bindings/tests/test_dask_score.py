"""zhili.dask.fit / zhili.dask.score on a real dask.distributed LocalCluster (2 worker
processes), against the one-machine zhili.fit / zhili.score on the concatenated data.

The 1,000,000-unit test is named ``test_million_*`` (``-k "not million"`` skips it)."""

from __future__ import annotations

import json
import sys

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

import cloudpickle  # noqa: E402  (installed with distributed)

import zhili  # noqa: E402
import zhili.dask as zd  # noqa: E402
from zhili import steps  # noqa: E402

# the workers receive this module's data generators by value (they cannot import tests/)
cloudpickle.register_pickle_by_value(sys.modules[__name__])

DIM_WEIGHTS = [0.30, 0.25, 0.20, 0.15, 0.10]


def peer_framework(m: int) -> zhili.Framework:
    """The numpy peer's synthetic framework (../shared/bench/numpy_baseline.py
    ``make_framework``): 5 dimensions, indicators round-robin, every 5th a cost."""
    nodes = [{"id": "index"}] + [{"id": f"D{d + 1}", "parent": "index", "weight": w} for d, w in enumerate(DIM_WEIGHTS)]
    nodes += [
        {"id": f"I{j + 1:03d}", "parent": f"D{j % 5 + 1}", "direction": "cost" if (j + 1) % 5 == 0 else "benefit"}
        for j in range(m)
    ]
    return zhili.Framework.from_dict({"version": 1, "nodes": nodes})


def values(k: int, rows: int, m: int, seed: int, dyadic: bool, tied: int = 0) -> np.ndarray:
    """Partition ``k``'s indicator values: lognormal (even columns) and normal (odd), ~3%
    missing in every 8th column; ``dyadic`` rounds to 1/16 (so every sum of the fit is
    exact); the first ``tied`` rows are the same in every partition (ties across them)."""
    rng = np.random.default_rng([seed, k])
    x = rng.standard_normal((rows, m))
    x *= 12.0
    x += 50.0
    x[:, ::2] = np.exp((x[:, ::2] - 50.0) / 12.0 + 3.0)
    gaps = x[:, 3::8]
    gaps[rng.random(gaps.shape) < 0.03] = np.nan
    x[:, 3::8] = gaps
    if tied:
        x[:tied] = values(1 << 20, tied, m, seed, False)  # the same rows for every k
    if dyadic:
        x *= 16.0
        np.round(x, out=x)
        x /= 16.0
    return x


def unit_ids(k: int, rows: int) -> list:
    return [f"U{k:03d}-{i:07d}" for i in range(rows)]


def block(k: int, rows: int, m: int, seed: int, dyadic: bool, tied: int = 0) -> pd.DataFrame:
    """Partition ``k`` as a DataFrame: ``unit`` and the indicators ``I001`` ...."""
    df = pd.DataFrame(values(k, rows, m, seed, dyadic, tied), columns=[f"I{j + 1:03d}" for j in range(m)], copy=False)
    df.insert(0, "unit", unit_ids(k, rows))
    return df


def collection(parts: int, rows: int, m: int, seed: int, dyadic: bool, tied: int = 0):  # type: ignore[no-untyped-def]
    """A dask DataFrame generated in the workers, one partition per block."""
    import dask.dataframe as dd

    meta = block(0, 0, m, seed, dyadic)
    return dd.from_map(block, range(parts), rows=rows, m=m, seed=seed, dyadic=dyadic, tied=tied, meta=meta, enforce_metadata=False)


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def _normalise_step(doc: dict) -> dict:
    return next(s for s in doc["pipeline"]["steps"] if s["type"] == "normalise")


def test_fit_identical_for_any_partitioning_and_equal_to_one_machine(client) -> None:  # type: ignore[no-untyped-def]
    fw = peer_framework(12)
    # exact sums (values on a 1/16 grid): the merged fit is the one-machine fit, bit for bit
    ddf = collection(5, 400, 12, seed=7, dyadic=True)
    whole = ddf.compute()
    one = zhili.fit(fw, whole, unit="unit")
    docs = {zd.fit(ddf.repartition(npartitions=n), fw, unit="unit", split_every=s).to_json() for n, s in ((5, 2), (3, 8), (1, 2))}
    assert docs == {one.to_json()}
    # any values: identical for every partitioning; against the one-machine running sums to 1e-12
    ddf = collection(6, 300, 12, seed=8, dyadic=False)
    whole = ddf.compute()
    one = zhili.fit(fw, whole, unit="unit").to_dict()
    docs = {zd.fit(ddf.repartition(npartitions=n), fw, unit="unit", split_every=2).to_json() for n in (6, 4, 1)}
    assert len(docs) == 1
    dist = json.loads(docs.pop())
    imp_d, imp_1 = dist["pipeline"]["steps"][1], one["pipeline"]["steps"][1]
    assert imp_d["type"] == "impute_fitted" and set(imp_d["values"]) == set(imp_1["values"])
    for ind, v in imp_1["values"].items():
        assert imp_d["values"][ind] == pytest.approx(v, rel=1e-12)
    assert _normalise_step(dist) == _normalise_step(one)  # min / max after imputation: exact


def test_fit_refuses_what_needs_the_whole_data(client) -> None:  # type: ignore[no-untyped-def]
    fw = peer_framework(6)
    ddf = collection(2, 10, 6, seed=1, dyadic=True)
    whole = [
        [steps.Impute("median"), steps.Normalise("minmax"), steps.Aggregate("arithmetic")],
        [steps.Normalise("rank"), steps.Aggregate("arithmetic")],
    ]
    for pipe in whole:
        with pytest.raises(zhili.MethodError, match="whole data|cannot be fitted"):
            zd.fit(ddf, fw, pipe, unit="unit")
    with pytest.raises(zhili.MethodError, match="whole data"):
        zd.fit(ddf, fw, unit="unit", grading={"node": "index", "labels": ["lo", "hi"], "quantiles": [0.5]})
    with pytest.raises(zhili.MethodError, match="whole data"):
        zd.score(ddf, fw, [steps.Impute("median"), steps.Aggregate("arithmetic")], unit="unit")


@pytest.mark.parametrize("ties", ["min", "max", "average", "dense", "first"])
def test_gathered_ranks_equal_pandas_rank(ties) -> None:
    """The gathered ranks, cut back per partition, against pandas' ``rank(ascending=False)``
    of the whole column (an independent implementation)."""
    from zhili.dask._rank import rank_parts

    rng = np.random.default_rng(4)
    x = rng.integers(0, 40, 3000).astype(float) / 4.0
    x[rng.random(3000) < 0.05] = np.nan
    x[:7] = [np.inf, -np.inf, 0.0, -0.0, 0.0, np.inf, 1e300]
    cuts = [0, 1, 400, 400, 1700, 2999, 3000]
    blocks = [{"n": x[a:b]} for a, b in zip(cuts, cuts[1:])]
    parts = rank_parts(ties, *blocks)
    assert [len(p["n"]) for p in parts] == [len(b["n"]) for b in blocks]
    got = np.concatenate([p["n"] for p in parts])
    want = pd.Series(x).rank(method=ties, ascending=False, na_option="keep").to_numpy()
    np.testing.assert_array_equal(got, want)


TIES_PIPE = [steps.Normalise("minmax"), steps.Aggregate("arithmetic")]  # no imputation: missing scores stay


def _tied_collection(parts: int = 6):  # type: ignore[no-untyped-def]
    """Few distinct values (many equal scores in every partition and across them), units
    with every indicator missing (no score), an empty partition."""
    import dask.dataframe as dd

    rng = np.random.default_rng(5)
    n, m = 240, 6
    x = rng.integers(0, 3, (n, m)).astype(float)
    x[rng.random(n) < 0.05] = np.nan  # whole rows missing: no index score
    x[rng.random((n, m)) < 0.05] = np.nan
    df = pd.DataFrame(x, columns=[f"I{j + 1:03d}" for j in range(m)])
    df.insert(0, "unit", [f"u{i:03d}" for i in range(n)])
    ddf = dd.from_pandas(df, npartitions=parts, sort=False)
    empty = dd.from_pandas(df.iloc[:0], npartitions=1, sort=False)
    return dd.concat([ddf.partitions[:2], empty, ddf.partitions[2:]]), df


@pytest.mark.parametrize("ties", ["min", "max", "average", "dense", "first"])
def test_ranks_every_tie_rule_with_ties_across_partitions(client, ties) -> None:  # type: ignore[no-untyped-def]
    fw = peer_framework(6)
    pipe = zhili.Pipeline(TIES_PIPE, ties=ties)
    ddf, df = _tied_collection()
    one = zhili.score(fw, df, pipe, unit="unit")
    dist = zd.score(ddf, fw, pipe, unit="unit", ranks="all").compute()
    assert dist.index.tolist() == one.scores.index.tolist()
    np.testing.assert_allclose(dist[one.node_ids].to_numpy(), one.scores.to_numpy(), rtol=0, atol=1e-12)
    want = one.ranks
    for node in one.node_ids:
        col = "rank" if node == "index" else f"rank_{node}"
        got = dist[col]
        assert got.isna().tolist() == want[node].isna().tolist(), node
        ok = ~want[node].isna().to_numpy()
        np.testing.assert_array_equal(got.to_numpy(dtype=float)[ok], want[node].to_numpy(dtype=float)[ok], err_msg=node)
    assert dist["rank"].isna().any() and dist["index"].duplicated().any()  # the test has both


def test_score_with_a_base_year_fit_and_its_grading(client) -> None:  # type: ignore[no-untyped-def]
    fw = peer_framework(10)
    base = collection(3, 200, 10, seed=2, dyadic=False).compute()
    grading = {"node": "index", "labels": ["红", "黄", "绿"], "thresholds": [45.0, 55.0]}
    fitted = zhili.fit(fw, base, unit="unit", grading=grading)
    later = collection(4, 150, 10, seed=3, dyadic=False)
    dist = zd.score(later, fitted=fitted, unit="unit").compute()
    res = fitted.apply(later.compute(), unit="unit")
    np.testing.assert_array_equal(dist[res.node_ids].to_numpy(), res.scores.to_numpy())  # row-wise: the same bits
    np.testing.assert_array_equal(dist["rank"].to_numpy(dtype=float), res.index_ranks.to_numpy(dtype=float))
    assert dist["grade"].astype(object).tolist() == fitted.grade(res).labels
    assert list(dist["grade"].cat.categories) == ["红", "黄", "绿"]
    with pytest.raises(TypeError, match="fitted"):
        zd.score(later, fw, fitted=fitted, unit="unit")
    small = zd.score(later, fitted=fitted, unit="unit", scores="aggregates", ranks=None).compute()
    assert list(small.columns) == ["index", "D1", "D2", "D3", "D4", "D5", "grade"]
    np.testing.assert_array_equal(small["index"].to_numpy(), res.index.to_numpy())


def test_million_units_67_indicators_16_partitions_equal_one_machine(client) -> None:  # type: ignore[no-untyped-def]
    """1,000,000 × 67 generated in the workers, 16 partitions whose first 25 units are
    the same in every partition (ties across partitions); the default pipeline (mean
    imputation, min-max, two levels of weighted means). Checked against the one-machine
    ``zhili.score``: index, dimension scores and ranks of every unit; every node's score
    (the 67 normalised indicators too) on three of the partitions (all 16 would move
    another 500 MB from the workers)."""
    parts, rows, m = 16, 62_500, 67
    fw = peer_framework(m)
    ddf = collection(parts, rows, m, seed=11, dyadic=True, tied=25).persist()
    dist = zd.score(ddf, fw, unit="unit").persist()  # fits first (pass 1), then scores and ranks
    aggregates = ["index", "D1", "D2", "D3", "D4", "D5"]
    got = dist[aggregates + ["rank"]].compute()
    some = [0, 9, 15]
    got_all = dist.partitions[some].compute()
    # the one-machine reference, on the concatenated data generated here from the same seeds
    x = np.empty((parts * rows, m))
    for k in range(parts):
        x[k * rows : (k + 1) * rows] = values(k, rows, m, 11, True, 25)
    whole = pd.DataFrame(x, columns=[f"I{j + 1:03d}" for j in range(m)], copy=False)
    whole.insert(0, "unit", [u for k in range(parts) for u in unit_ids(k, rows)])
    one = zhili.score(fw, whole, unit="unit")
    del whole, x
    ids = one.unit_ids
    assert got.index.tolist() == ids
    cols = [one.node_ids.index(c) for c in aggregates]
    scores = one.scores_array()
    assert np.abs(got[aggregates].to_numpy() - scores[:, cols]).max() <= 1e-12
    np.testing.assert_array_equal(got["rank"].to_numpy(dtype=np.int64), one.index_ranks.to_numpy(dtype=np.int64))
    rows_all = np.concatenate([np.arange(k * rows, (k + 1) * rows) for k in some])
    assert got_all.index.tolist() == [ids[r] for r in rows_all]
    assert np.abs(got_all[one.node_ids].to_numpy() - scores[rows_all]).max() <= 1e-12
    # the ties across partitions are there, and ranked alike
    index = got["index"].to_numpy()
    for k in range(1, parts):
        np.testing.assert_array_equal(index[k * rows : k * rows + 25], index[:25])
    assert (got["rank"].value_counts() == parts).sum() >= 20


def test_fit_with_data_driven_weights_takes_passes_and_equals_one_machine(client) -> None:  # type: ignore[no-untyped-def]
    fw = peer_framework(12)
    ddf = collection(4, 150, 12, seed=5, dyadic=False)
    whole = ddf.compute()
    for weights in ("entropy", {"method": "critic", "reverse_cost": False}):
        one = zhili.fit(fw, whole, unit="unit", weights=weights)
        docs = {zd.fit(ddf.repartition(npartitions=n), fw, unit="unit", weights=weights, split_every=2).to_json() for n in (4, 3)}
        assert len(docs) == 1  # identical for every partitioning
        dist = zhili.FittedPipeline.from_json_str(docs.pop())
        assert dist.weights is not None and one.weights is not None
        assert dist.weights.keys() == one.weights.keys()
        for node, w in one.weights.items():
            assert dist.weights[node] == pytest.approx(w, rel=1e-12, abs=0), node
        # not the framework's weights: the dimensions' weights were fitted
        assert dist.weights["D1"] != pytest.approx(DIM_WEIGHTS[0] / sum(DIM_WEIGHTS), rel=1e-3)


def test_fit_with_treat_weights_grading_takes_passes_and_equals_one_machine(client) -> None:  # type: ignore[no-untyped-def]
    fw = peer_framework(12)
    ddf = collection(4, 150, 12, seed=6, dyadic=False)
    whole = ddf.compute()
    pipe = [steps.Impute("mean"), steps.Treat("winsorise"), steps.Normalise("zscore"), steps.Aggregate("arithmetic")]
    kw = {"weights": "standard_deviation", "weight_stage": "treated", "grading": {"node": "index", "labels": ["lo", "mid", "hi"], "equal_intervals": True}}
    one = zhili.fit(fw, whole, pipe, unit="unit", **kw).to_dict()
    docs = {zd.fit(ddf.repartition(npartitions=n), fw, pipe, unit="unit", **kw).to_json() for n in (4, 3)}
    assert len(docs) == 1
    dist = json.loads(docs.pop())
    treat_d, treat_1 = dist["pipeline"]["steps"][1], one["pipeline"]["steps"][1]
    assert treat_d["type"] == "treat_fitted" and treat_d["rules"]  # the lognormal columns are treated
    assert treat_d == treat_1  # bounds and log min / max are data values: exact
    _assert_close(_normalise_step(dist), _normalise_step(one))  # z-scores of the treated values
    for node, w in one["weights"]["values"].items():
        assert dist["weights"]["values"][node] == pytest.approx(w, rel=1e-12, abs=0), node
    _assert_close(dist["grading"], one["grading"])  # equal intervals: a last pass


def _assert_close(a: object, b: object, path: str = "") -> None:
    """Two JSON trees equal, floats to 1e-12 relative."""
    if isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-300), path
    elif isinstance(b, dict):
        assert isinstance(a, dict) and a.keys() == b.keys(), path
        for k in b:
            _assert_close(a[k], b[k], f"{path}.{k}")
    elif isinstance(b, list):
        assert isinstance(a, list) and len(a) == len(b), path
        for k, (x, y) in enumerate(zip(a, b)):
            _assert_close(x, y, f"{path}[{k}]")
    else:
        assert a == b, path


def _panel() -> pd.DataFrame:
    """Three years of the same 90 units (values on a 1/16 grid: every sum of the fit is
    exact), rows shuffled so that the partitions mix years; the last partition holds
    2021 rows only."""
    frames = []
    for y, year in enumerate((2020, 2021, 2022)):
        df = pd.DataFrame(values(y, 90, 10, 21, True), columns=[f"I{j + 1:03d}" for j in range(10)])
        df.insert(0, "unit", unit_ids(0, 90))
        df.insert(1, "year", year)
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    order = np.random.default_rng(9).permutation(len(df) - 30)
    return pd.concat([df.drop(index=range(120, 150)).iloc[order], df.iloc[120:150]], ignore_index=True)


def test_panel_arguments_as_zhili_score(client) -> None:  # type: ignore[no-untyped-def]
    """time= / year= mean what they mean in zhili.score / zhili.fit: the latest year by
    default, one year, or every year on its own; a base-year fit scores every year."""
    import dask.dataframe as dd

    fw = peer_framework(10)
    df = _panel()
    ddf = dd.from_pandas(df, npartitions=4, sort=False)

    def same(dist, one) -> None:  # type: ignore[no-untyped-def]
        dist = dist.compute()
        # one machine: (unit, year) rows; dask: unit rows and a year column
        assert dist.index.tolist() == one.scores.index.get_level_values("unit").tolist()
        assert dist["time"].tolist() == one.scores.index.get_level_values("time").tolist()
        np.testing.assert_array_equal(dist[one.node_ids].to_numpy(), one.scores.to_numpy())
        np.testing.assert_array_equal(dist["rank"].to_numpy(dtype=float), one.index_ranks.to_numpy(dtype=float))

    same(zd.score(ddf, fw, unit="unit", time="year"), zhili.score(fw, df, unit="unit", time="year"))
    same(zd.score(ddf, fw, unit="unit", time="year", year=2021), zhili.score(fw, df, unit="unit", time="year", year=2021))
    every = zd.score(ddf, fw, unit="unit", time="year", year="all")
    want = zhili.score(fw, df, unit="unit", time="year", year="all")
    assert list(every) == list(want) == [2020, 2021, 2022]
    for y in want:
        same(every[y], want[y])
    # fit on the base year, score every year with its parameters
    fitted = zd.fit(ddf, fw, unit="unit", time="year", year=2020)
    base = zhili.fit(fw, df, unit="unit", time="year", year=2020)
    assert fitted.to_json() == base.to_json()
    assert fitted.to_json() != zd.fit(ddf, fw, unit="unit", time="year").to_json()  # not the latest year's
    every = zd.score(ddf, fitted=fitted, unit="unit", time="year", year="all")
    want = base.apply(df, unit="unit", time="year", year="all")
    for y in want:
        same(every[y], want[y])
    with pytest.raises(zhili.UnknownIdError, match="2019.*2020, 2021, 2022"):
        zd.fit(ddf, fw, unit="unit", time="year", year=2019)
    with pytest.raises(zhili.DataError, match="time="):
        zd.score(ddf, fw, unit="unit", year=2020)
    with pytest.raises(zhili.MissingColumnError, match="period"):
        zd.score(ddf, fw, unit="unit", time="period")
