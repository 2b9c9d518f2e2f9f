#!/usr/bin/env python3
"""Distributed scoring side by side: ``zhili.dask.score`` vs dask + numpy vs one-machine ``zhili.score``.

Not a test: a benchmark, run once by hand or through ``scripts/bench.sh`` (``ZHILI_BENCH_DASK=1``).

Data: the numpy peer's synthetic generator (``../shared/bench/numpy_baseline.py``
``generate_data``: latent quality, four marginal families, ~3% missing in every 8th
indicator, values rounded to 0-2 decimals), written once in ``PARTS`` Parquet files to
``bench-data/dask-N{units}-M{m}/`` (gitignored; ``--clean`` deletes it afterwards). The
column parameters come from the seed, each file's draws from (seed, file number), so the
files are written in parallel by the cluster and identical on every run.

One run, the same files, the same pipeline (mean imputation, min-max [0, 100], weighted
arithmetic means over 5 dimensions and the index, ranks 1 = best with ties ``min``), every
variant writing index, dimension scores and rank per unit to Parquet:

* ``zhili.dask``: ``zhili.dask.fit`` (pass 1) and ``zhili.dask.score(scores="aggregates")``
  (pass 2, exact ranks over the collection), ``to_parquet``;
* ``dask + numpy``: the peer's formulas (``impute_mean``, ``minmax``, the membership
  matmul, ``rank_desc_min``) on the same cluster: pass 1 per-partition column min / max /
  sum / count merged in a tree, pass 2 imputation with the global means and min-max with the
  global bounds per partition, the index gathered on the client and ranked there with the
  peer's ``rank_desc_min``, ranks sent back to the partitions, written per partition;
* ``one machine``: ``pandas.read_parquet`` of the first ``--one-machine-units`` units +
  ``zhili.score(keep_stages=False)`` + the same output, in this process.

Reported per variant: wall time, units/s, CPU seconds (worker processes + this process) and
units per CPU second (throughput per core). The cluster: ``--workers`` processes with one
thread each, each bounded by ``--memory-limit``. The zhili.dask and dask + numpy outputs are
compared: index within 1e-9, identical ranks.

Usage: ``.venv-py/bin/python benches/dask_score.py [--units 10000000] [--parts 64]
[--workers 2] [--memory-limit 4GiB] [--one-machine-units 2000000] [--baseline PATH] [--clean]``.
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def generate_part(k: int, rows: int, m: int, seed: int) -> pd.DataFrame:
    """File ``k`` of the data set: the peer's ``generate_data`` formulas, column parameters
    from ``seed``, draws from ``(seed, k)``."""
    params = np.random.default_rng(seed)
    rho = params.uniform(0.2, 0.8, m)
    mus, sigmas, slopes = params.uniform(3, 8, m), params.uniform(0.6, 1.4, m), params.uniform(0.8, 2.0, m)
    rng = np.random.default_rng([seed, k])
    q = rng.standard_normal(rows)
    x = np.empty((rows, m))
    for j in range(m):
        s = -1.0 if (j + 1) % 5 == 0 else 1.0
        g = rho[j] * s * q + np.sqrt(1 - rho[j] ** 2) * rng.standard_normal(rows)
        kind = j % 4
        if kind == 0:
            col = np.round(60 + 40 / (1 + np.exp(-1.7 * g)), 1)
        elif kind == 1:
            col = np.round(np.exp(mus[j] + sigmas[j] * g))
        elif kind == 2:
            col = np.round(50 + 12 * g, 2)
        else:
            col = np.round(10 / (1 + np.exp(-slopes[j] * g)), 2)
        if j % 8 == 3:
            col[rng.random(rows) < 0.03] = np.nan
        x[:, j] = col
    df = pd.DataFrame(x, columns=[f"I{j + 1:03d}" for j in range(m)])
    df.insert(0, "unit_id", [f"U{k:04d}{i:07d}" for i in range(rows)])
    return df


def zhili_framework(doc: dict):  # type: ignore[no-untyped-def]
    import zhili

    nodes = [{"id": "index"}]
    for d in doc["dimensions"]:
        nodes.append({"id": d["id"], "parent": "index", "weight": d["weight"]})
        for i in d["indicators"]:
            nodes.append({"id": i["id"], "parent": d["id"], "weight": i["weight"], "direction": i.get("polarity", "benefit")})
    return zhili.Framework.from_dict({"version": 1, "nodes": nodes})


# ---- dask + numpy: the peer's formulas, two passes as zhili --------------------------------
def np_stats(df: pd.DataFrame, cols: list) -> tuple:
    x = df[cols].to_numpy(dtype=np.float64)
    return np.nanmin(x, axis=0), np.nanmax(x, axis=0), np.nansum(x, axis=0), (~np.isnan(x)).sum(axis=0)


def np_merge(*parts: tuple) -> tuple:
    lo = np.nanmin([p[0] for p in parts], axis=0)
    hi = np.nanmax([p[1] for p in parts], axis=0)
    return lo, hi, np.sum([p[2] for p in parts], axis=0), np.sum([p[3] for p in parts], axis=0)


def np_apply(df: pd.DataFrame, cols: list, stats: tuple, fw) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    lo, hi, total, count = stats
    x = df[cols].to_numpy(dtype=np.float64, copy=True)
    nan = np.isnan(x)
    r, c = np.nonzero(nan)
    x[r, c] = (total / count)[c]  # impute_mean with the collection's means
    span = hi - lo  # minmax with the collection's bounds (the mean lies within them)
    const = span == 0
    origin = np.where(fw.cost, hi, lo)
    scale = np.where(fw.cost, -100.0, 100.0) / np.where(const, 1.0, span)
    z = x - origin
    z *= scale
    if const.any():
        z[:, const] = 50.0
    a = fw.member * fw.within_dim_weights(fw.w_ind)[:, None]
    dims = z @ a
    index = dims @ (fw.w_dim / fw.w_dim.sum())
    out = pd.DataFrame(dims, columns=fw.dim_ids, index=pd.Index(df["unit_id"].to_numpy(), name="unit_id"))
    out.insert(0, "index", index)
    return out


def np_write(df: pd.DataFrame, ranks: np.ndarray, path: str) -> int:
    df = df.assign(rank=ranks)
    df.to_parquet(path)
    return len(df)


def dask_numpy(client, files: list, nb, fw, out: Path) -> None:  # type: ignore[no-untyped-def]
    import dask
    import dask.dataframe as dd
    from zhili.dask._fit import tree

    ddf = dd.read_parquet([str(f) for f in files])
    cols = [c for c in ddf.columns if c != "unit_id"]
    stats = tree([dask.delayed(np_stats)(p, cols) for p in ddf.to_delayed()], np_merge, 8).compute()
    applied = client.compute([dask.delayed(np_apply)(p, cols, stats, fw) for p in ddf.to_delayed()])
    index = client.gather([client.submit(lambda d: d["index"].to_numpy(), a) for a in applied])
    ranks = nb.rank_desc_min(np.concatenate(index))
    pieces = client.scatter(np.split(ranks, np.cumsum([len(i) for i in index])[:-1]))
    out.mkdir(parents=True)
    done = [client.submit(np_write, a, r, str(out / f"part.{k}.parquet")) for k, (a, r) in enumerate(zip(applied, pieces))]
    client.gather(done)


def zhili_dask(files: list, fw, out: Path) -> None:  # type: ignore[no-untyped-def]
    import dask.dataframe as dd
    import zhili.dask

    ddf = dd.read_parquet([str(f) for f in files])
    zhili.dask.score(ddf, fw, unit="unit_id", scores="aggregates").to_parquet(str(out))


def one_machine(files: list, fw, out: Path) -> None:  # type: ignore[no-untyped-def]
    import zhili

    df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    res = zhili.score(fw, df, unit="unit_id", keep_stages=False)
    del df
    table = res.scores[[res.index_id, "D1", "D2", "D3", "D4", "D5"]].assign(rank=res.index_ranks)
    table.to_parquet(out)


def timed(client, what, *args) -> dict:  # type: ignore[no-untyped-def]
    gc.collect()
    cpu_w0 = client.run(time.process_time)
    cpu0, t0 = time.process_time(), time.perf_counter()
    what(*args)
    wall = time.perf_counter() - t0
    cpu_w1 = client.run(time.process_time)
    workers = sum(cpu_w1[w] - cpu_w0[w] for w in cpu_w1 if w in cpu_w0)
    return {"wall_s": round(wall, 2), "cpu_s": round(workers + time.process_time() - cpu0, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--units", type=int, default=10_000_000)
    ap.add_argument("--indicators", type=int, default=67)
    ap.add_argument("--parts", type=int, default=64)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="4GiB")
    ap.add_argument("--one-machine-units", type=int, default=2_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--baseline", default=str(ROOT.parent / "shared" / "bench" / "numpy_baseline.py"))
    ap.add_argument("--clean", action="store_true", help="delete the generated data and outputs at the end")
    a = ap.parse_args()

    import cloudpickle
    import dask.dataframe as dd
    import distributed

    sys.path.insert(0, str(Path(a.baseline).resolve().parent))
    import numpy_baseline as nb  # noqa: E402

    cloudpickle.register_pickle_by_value(nb)  # the workers get the peer's code by value
    rows = a.units // a.parts
    data = ROOT / "bench-data" / f"dask-N{a.units}-M{a.indicators}"
    outs = ROOT / "bench-data" / "dask-out"
    shutil.rmtree(outs, ignore_errors=True)
    outs.mkdir(parents=True)
    doc = nb.make_framework(a.indicators)
    fw = zhili_framework(doc)
    cols = [f"I{j + 1:03d}" for j in range(a.indicators)]
    peer_fw = nb.Framework(doc, cols)
    report: dict = {"units": rows * a.parts, "indicators": a.indicators, "partitions": a.parts, "workers": a.workers, "threads_per_worker": 1, "memory_limit": a.memory_limit}
    with distributed.LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True, memory_limit=a.memory_limit, dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        files = [data / f"part.{k}.parquet" for k in range(a.parts)]
        if not all(f.exists() for f in files):
            shutil.rmtree(data, ignore_errors=True)
            t0 = time.perf_counter()
            meta = generate_part(0, 2, a.indicators, a.seed).iloc[:0]
            dd.from_map(generate_part, range(a.parts), rows=rows, m=a.indicators, seed=a.seed, meta=meta).to_parquet(str(data), write_index=False, name_function=lambda k: f"part.{k}.parquet")
            report["generate_s"] = round(time.perf_counter() - t0, 1)
        report["parquet_gb"] = round(sum(f.stat().st_size for f in files) / 1e9, 2)
        one_parts = max(1, a.one_machine_units // rows)
        results = {
            "zhili.dask": timed(client, zhili_dask, files, fw, outs / "zhili-dask"),
            "dask+numpy": timed(client, dask_numpy, client, files, nb, peer_fw, outs / "dask-numpy"),
            "one machine zhili.score": timed(client, one_machine, files[:one_parts], fw, outs / "one-machine.parquet"),
        }
        sizes = {"zhili.dask": rows * a.parts, "dask+numpy": rows * a.parts, "one machine zhili.score": rows * one_parts}
        for k, r in results.items():
            r["units"] = sizes[k]
            r["units_per_s"] = round(sizes[k] / r["wall_s"])
            r["units_per_cpu_s"] = round(sizes[k] / r["cpu_s"])
        report["results"] = results
        z = pd.read_parquet(outs / "zhili-dask", columns=["index", "rank"])
        p = pd.read_parquet(outs / "dask-numpy", columns=["index", "rank"])
        report["max_abs_index_diff_vs_dask_numpy"] = float(np.abs(z["index"].to_numpy() - p["index"].to_numpy()).max())
        report["identical_ranks_vs_dask_numpy"] = bool(np.array_equal(z["rank"].to_numpy(dtype=np.int64), p["rank"].to_numpy(dtype=np.int64)))
        report["identical_units"] = bool((z.index == p.index).all())
        del z, p
        zd, nd, om = (results[k]["units_per_cpu_s"] for k in ("zhili.dask", "dask+numpy", "one machine zhili.score"))
        report["one_machine_over_dask_per_cpu"] = round(om / zd, 2)
        report["zhili_dask_over_dask_numpy"] = round(zd / nd, 2)
    shutil.rmtree(outs, ignore_errors=True)
    if a.clean:
        shutil.rmtree(data, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
