#!/usr/bin/env python3
"""Python side by side: `zhili.score` on a DataFrame vs the numpy peer's compute, one process.

The peer (../shared/bench/numpy_baseline.py `score_numpy`: mean imputation, min-max,
two-level weighted mean, ranks) and zhili run on the same 100,000 × 67 data (the peer's
generator, seed 1), interleaved call by call so machine load hits both alike. Timed per call
(median of REPEAT warm calls, ZHILI_BENCH_REPEAT, default 15):

* ``peer``: ``score_numpy(X, fw)`` on the float matrix (its compute, after reading);
* ``default``: ``zhili.score(fw, df, pipe, unit="unit_id")`` (pandas in, the default lazy run);
* ``streaming``: the same with ``keep_stages=False``;
* ``polars`` / ``arrow``: the default call on a polars DataFrame / pyarrow Table of the data;
* ``+scores``: the default call plus ``res.scores_array()`` (every node's scores, which the
  default run builds on first access);
* ``+frames``: the default call plus ``res.scores`` and ``res.index_ranks`` as DataFrames.

Ratios: ``peer ÷ default`` (target ≥ 5; by wall time and by process CPU time, which load on a
shared machine inflates less) and ``default ÷ streaming`` (target ≤ 1.2, also as the median of
per-pair ratios). Checks the index against the peer's to 1e-9 and identical ranks.
Run with zhili installed (scripts/test-python.sh builds .venv-py); scripts/bench.sh calls it:
`.venv-py/bin/python benches/python_score.py [numpy_baseline.py]`. Prints one JSON document.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import zhili

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "bench" / "numpy_baseline.py"
N, M = int(os.environ.get("ZHILI_BENCH_UNITS", "100000")), 67
REPEAT = int(os.environ.get("ZHILI_BENCH_REPEAT", "15"))


def framework_from_peer(doc: dict) -> zhili.Framework:
    nodes = [{"id": "index"}]
    for d in doc["dimensions"]:
        nodes.append({"id": d["id"], "parent": "index", "weight": d["weight"]})
        for i in d["indicators"]:
            nodes.append({"id": i["id"], "parent": d["id"], "weight": i["weight"], "direction": i.get("polarity", "benefit")})
    return zhili.Framework.from_dict({"version": 1, "nodes": nodes})


def main() -> None:
    sys.path.insert(0, str(BASELINE.parent))
    import numpy_baseline as nb  # noqa: E402

    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / f"data_N{N}_M{M}_s1.csv"
        subprocess.run([sys.executable, str(BASELINE), "gen", "--units", str(N), "--indicators", str(M), "--seed", "1", "--out", str(csv)], check=True, capture_output=True)
        doc = json.loads(csv.with_suffix(".json").read_text())
        df = pd.read_csv(csv)
        pfw = nb.load_framework(csv.with_suffix(".json"), [str(c) for c in df.columns[1:]])
    fw = framework_from_peer(doc)
    pipe = zhili.Pipeline([zhili.steps.Impute("mean"), zhili.steps.Normalise("minmax", lo=0.0, hi=100.0), zhili.steps.Aggregate("arithmetic")])
    X = df.iloc[:, 1:].to_numpy(dtype=np.float64)
    calls = {
        "peer": lambda: nb.score_numpy(X, pfw),
        "default": lambda: zhili.score(fw, df, pipe, unit="unit_id"),
        "streaming": lambda: zhili.score(fw, df, pipe, unit="unit_id", keep_stages=False),
    }
    try:
        import polars as pl
        import pyarrow as pa

        pldf, table = pl.from_pandas(df), pa.Table.from_pandas(df, preserve_index=False)
        calls["polars"] = lambda: zhili.score(fw, pldf, pipe, unit="unit_id")
        calls["arrow"] = lambda: zhili.score(fw, table, pipe, unit="unit_id")
    except ImportError:
        pass

    def every_node():
        r = zhili.score(fw, df, pipe, unit="unit_id")
        r.scores_array()  # the default run builds every node's scores on first access
        return r

    calls["+scores"] = every_node

    def frames():
        r = zhili.score(fw, df, pipe, unit="unit_id")
        r.scores, r.index_ranks
        return r

    calls["+frames"] = frames
    times: dict = {k: [] for k in calls}
    cpu: dict = {k: [] for k in calls}  # process CPU time: what load on a shared machine does not inflate
    for f in calls.values():
        f()  # warm-up
    pairs = []
    for _ in range(REPEAT):
        for k, f in calls.items():
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            r = f()
            times[k].append(time.perf_counter() - t0)
            cpu[k].append(time.process_time() - c0)
            del r
        pairs.append(times["default"][-1] / times["streaming"][-1])
    med = {k: statistics.median(v) * 1e3 for k, v in times.items()}
    med_cpu = {k: statistics.median(v) * 1e3 for k, v in cpu.items()}
    _, index, ranks = nb.score_numpy(X, pfw)
    res = calls["default"]()
    z_index = res.scores_array()[:, fw.node_ids.index("index")]
    out = {
        "size": f"{N}x{M}",
        "median_ms": {k: round(v, 2) for k, v in med.items()},
        "median_cpu_ms": {k: round(v, 2) for k, v in med_cpu.items()},
        "peer_over_default": round(med["peer"] / med["default"], 2),
        "peer_over_default_cpu": round(med_cpu["peer"] / med_cpu["default"], 2),
        "default_over_streaming": round(med["default"] / med["streaming"], 3),
        "default_over_streaming_paired_median": round(statistics.median(pairs), 3),
        "max_abs_index_diff": float(np.max(np.abs(z_index - index))),
        "identical_ranks": bool(np.array_equal(res._run.index_ranks(), ranks)),
        "engine_ms": {"dataset": round(res._run.build_seconds * 1e3, 2), "run": round(res._run.core_seconds * 1e3, 2)},
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
