"""zhili.dask on a real dask.distributed LocalCluster (2 worker processes): equal to the
one-machine results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed")

import zhili  # noqa: E402
import zhili.dask as zd  # noqa: E402

SAMPLE = zhili.datasets.load()
FACTORS = [{"type": "weights", "spread": 0.25}]


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    import dask

    # A killed worker marks its tasks suspicious; retrying is what the last test checks, so a
    # slow CI machine must not turn one kill into KilledWorker.
    dask.config.set({"distributed.scheduler.allowed-failures": 10})
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def test_rank_histogram_merge_is_exact() -> None:
    rng = np.random.default_rng(3)
    ranks = rng.integers(1, 9, size=(40, 6)).astype(float)
    ranks[rng.random(ranks.shape) < 0.1] = np.nan
    whole = zd.RankHistogram.of_runs(ranks)
    parts = [zd.RankHistogram.of_runs(ranks[i : i + 7]) for i in range(0, 40, 7)]
    merged = parts[3]
    for p in parts[:3] + parts[4:]:  # any order
        merged = p.merge(merged)
    np.testing.assert_array_equal(merged.keys, whole.keys)
    np.testing.assert_array_equal(merged.counts, whole.counts)
    # independent check: numpy's type-7 percentiles and plain means of the raw ranks
    nominal = np.array([1.0, 2, 3, np.nan, 5, 6])
    st = merged.stats(nominal)
    for u in range(6):
        x = ranks[:, u][~np.isnan(ranks[:, u])]
        assert st["p5"][u] == pytest.approx(np.percentile(x, 5), abs=1e-12)
        assert st["median"][u] == pytest.approx(np.percentile(x, 50), abs=1e-12)
        assert st["p95"][u] == pytest.approx(np.percentile(x, 95), abs=1e-12)
        assert st["mean"][u] == pytest.approx(x.mean(), abs=1e-12)
        want = 0.0 if np.isnan(nominal[u]) else np.abs(x - nominal[u]).mean()
        assert st["mean_abs_shift"][u] == pytest.approx(want, abs=1e-12)


def test_uncertainty_equals_one_machine(client) -> None:  # type: ignore[no-untyped-def]
    kw = dict(unit=SAMPLE.unit, names=SAMPLE.names, time=SAMPLE.time)
    one = zhili.uncertainty(SAMPLE.framework, SAMPLE.data, SAMPLE.pipeline, factors=FACTORS, runs=300, seed=11, **kw)
    dist = zd.uncertainty(SAMPLE.data, SAMPLE.framework, FACTORS, runs=300, seed=11, client=client, pipeline=SAMPLE.pipeline, partitions=5, **kw)
    assert dist.unit_ids == one.unit_ids and dist.runs == one.runs
    pd.testing.assert_frame_equal(dist.index, one.index, check_exact=True, check_dtype=False)


DATA = Path(__file__).resolve().parents[2] / "indicators" / "data"


def test_grid_events_equal_one_machine(client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import dask.dataframe as dd

    log = pd.read_csv(DATA / "grid-events-log.csv", dtype=str, keep_default_na=False)
    pop = pd.read_csv(DATA / "grid-events-population.csv", dtype={"unit": str})
    pop = pd.concat([pop, pd.DataFrame({"unit": ["no-events"], "name": ["-"], "population": [1000]})])
    one = zhili.derive_grid_events(log, pop, quiet=True)
    src = tmp_path / "log.parquet"
    dd.from_pandas(log, npartitions=4).to_parquet(src)
    out = tmp_path / "derived.parquet"
    dist = zd.derive_grid_events(dd.read_parquet(src), pop, out=str(out), quiet=True)
    pd.testing.assert_frame_equal(dist, one, check_exact=True)
    pd.testing.assert_frame_equal(pd.read_parquet(out), one, check_exact=True)
    assert one.loc[one["unit"] == "no-events", "events"].item() == 0


def test_households_equal_one_machine(client, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import dask.dataframe as dd

    hh = pd.read_csv(DATA / "households.csv", dtype={"household": str, "township": str, "village": str, "colour": str})
    for level in ("village", "township"):
        one = zhili.grade_households(hh, level=level, quiet=True)
        dist = zd.grade_households(dd.from_pandas(hh, npartitions=5), level=level, quiet=True)
        pd.testing.assert_frame_equal(dist, one, check_exact=True)


def test_killed_worker_is_retried(client) -> None:  # type: ignore[no-untyped-def]
    import os
    import signal
    import threading
    import time

    kw = dict(unit=SAMPLE.unit, names=SAMPLE.names, time=SAMPLE.time)
    # enough runs that the computation is still going when the killer finds a busy worker
    one = zhili.uncertainty(SAMPLE.framework, SAMPLE.data, SAMPLE.pipeline, factors=FACTORS, runs=20000, seed=3, **kw)
    killed = []

    def kill_one_busy_worker() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = [w for w, tasks in client.processing().items() if tasks]
            if busy:
                try:
                    pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                except Exception:  # the worker finished or left meanwhile: look again
                    pass
            time.sleep(0.05)

    t = threading.Thread(target=kill_one_busy_worker)
    t.start()
    dist = zd.uncertainty(SAMPLE.data, SAMPLE.framework, FACTORS, runs=20000, seed=3, client=client, pipeline=SAMPLE.pipeline, partitions=40, **kw)
    t.join()
    assert killed, "no worker was killed mid-computation"
    pd.testing.assert_frame_equal(dist.index, one.index, check_exact=True, check_dtype=False)
    client.wait_for_workers(2, timeout=60)  # the nanny restarted it
