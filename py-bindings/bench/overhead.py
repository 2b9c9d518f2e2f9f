#!/usr/bin/env python3
"""Python overhead of ``zhili.score`` over the Rust engine, at 2,844 × 67 and 100,000 × 67.

Not part of the tests. Run with the extension built in release mode, e.g.::

    scripts/test-python.sh            # builds .venv-py with zhili installed
    .venv-py/bin/python py-bindings/bench/overhead.py [path/to/numpy_baseline.py]

Data: the numpy peer's synthetic generator (``numpy_baseline.py gen``, by default
``../shared/bench/numpy_baseline.py`` beside the repository) writes the CSV + JSON
framework into a temporary directory. Workload: mean imputation → min-max [0, 100] →
two-level weighted arithmetic mean → ranks (the peer's ``score``).

Measured per call (median of warm repeats):

* ``run``: seconds inside ``Pipeline::run`` (timed in Rust);
* ``dataset``: seconds building the engine's ``Dataset`` (borrowing or copying the values,
  id checks; timed in Rust, GIL released) — what a Rust caller also pays;
* ``numpy``: ``zhili.score(fw, X, unit_ids=ids)`` wall time, numpy input (the default:
  streaming, stages built on first access);
* ``numpy_eager``: the same with ``keep_stages=True`` (every stage built up front);
* ``numpy_streaming``: the same with ``keep_stages=False`` (aggregates only);
* ``pandas``: ``zhili.score(fw, df)`` wall time, DataFrame input;
* ``+frames``: the pandas call plus building the ``res.scores`` DataFrame and ``res.index_ranks``.

``python_overhead`` = (wall − dataset − run) / (dataset + run): the cost of calling the
engine from Python. ``overhead_vs_run`` = (wall − run) / run also counts the dataset build.
``peer_numpy_ms`` is the peer's own ``score_numpy`` (its compute, after reading) timed the
same way in the same process; ``default_vs_streaming`` = default wall ÷ ``keep_stages=False``
wall (target ≤ 1.2) and ``peer_over_default`` = peer compute ÷ default wall (target ≥ 5).
Prints one JSON document.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import zhili

ROOT = Path(__file__).resolve().parents[2]
BASELINE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "bench" / "numpy_baseline.py"
SIZES = [(2844, 67), (100_000, 67)]


def framework_from_peer(doc: dict) -> zhili.Framework:
    nodes = [{"id": "index"}]
    for d in doc["dimensions"]:
        nodes.append({"id": d["id"], "parent": "index", "weight": d["weight"]})
        for i in d["indicators"]:
            nodes.append({"id": i["id"], "parent": d["id"], "weight": i["weight"], "direction": i.get("polarity", "benefit")})
    return zhili.Framework.from_dict({"version": 1, "nodes": nodes})


def measure(f, repeat: int) -> dict:
    """Median wall / dataset / run times, and the median of the per-call overhead ratios
    (each call's wall time against the engine times measured in that same call, so that
    load from other processes affects both sides alike)."""
    walls, builds, cores = [], [], []
    f()  # warm-up
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        res = f()
        walls.append(time.perf_counter() - t0)
        builds.append(res._run.build_seconds)
        cores.append(res._run.core_seconds)
        del res  # freed outside the timed region
    py = [(w - b - c) / (b + c) for w, b, c in zip(walls, builds, cores)]
    vs_run = [(w - c) / c for w, c in zip(walls, cores)]
    med = statistics.median
    return {
        "wall_ms": round(med(walls) * 1e3, 2),
        "dataset_ms": round(med(builds) * 1e3, 2),
        "run_ms": round(med(cores) * 1e3, 2),
        "python_overhead_pct": round(100 * med(py), 1),
        "overhead_vs_run_pct": round(100 * med(vs_run), 1),
    }


def main() -> None:
    pipe = zhili.Pipeline(
        [zhili.steps.Impute("mean"), zhili.steps.Normalise("minmax", lo=0.0, hi=100.0), zhili.steps.Aggregate("arithmetic")]
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, m in SIZES:
            csv = Path(tmp) / f"data_N{n}_M{m}_s1.csv"
            subprocess.run(
                [sys.executable, str(BASELINE), "gen", "--units", str(n), "--indicators", str(m), "--seed", "1", "--out", str(csv)],
                check=True,
                capture_output=True,
            )
            fw = framework_from_peer(json.loads(csv.with_suffix(".json").read_text()))
            df = pd.read_csv(csv)
            ids = df["unit_id"].tolist()
            X = df[fw.indicator_ids].to_numpy()
            repeat = 41 if n < 10_000 else 15

            def numpy_call():
                return zhili.score(fw, X, pipe, unit_ids=ids)

            def eager_call():
                return zhili.score(fw, X, pipe, unit_ids=ids, keep_stages=True)

            def streaming_call():
                return zhili.score(fw, X, pipe, unit_ids=ids, keep_stages=False)

            def pandas_call():
                return zhili.score(fw, df, pipe, unit="unit_id")

            def frames_call():
                r = zhili.score(fw, df, pipe, unit="unit_id")
                r.scores, r.index_ranks
                return r

            row = {"size": f"{n}x{m}"}
            calls = [("numpy", numpy_call), ("numpy_eager", eager_call), ("numpy_streaming", streaming_call), ("pandas", pandas_call), ("+frames", frames_call)]
            for name, f in calls:
                row[name] = measure(f, repeat)
            sys.path.insert(0, str(BASELINE.parent))
            import numpy_baseline as nb  # noqa: E402

            pfw = nb.load_framework(csv.with_suffix(".json"), [str(c) for c in df.columns[1:]])
            PX = df.iloc[:, 1:].to_numpy(dtype=np.float64)
            peer = []
            for _ in range(repeat + 1):
                t0 = time.perf_counter()
                nb.score_numpy(PX, pfw)
                peer.append(time.perf_counter() - t0)
            row["peer_numpy_ms"] = round(statistics.median(peer[1:]) * 1e3, 2)
            row["default_vs_streaming"] = round(row["numpy"]["wall_ms"] / row["numpy_streaming"]["wall_ms"], 2)
            # The same ratio pair by pair (default, then streaming, alternately): steadier
            # when other processes load the machine.
            pairs = []
            for _ in range(repeat):
                gc.collect()
                t0 = time.perf_counter()
                r = numpy_call()
                t1 = time.perf_counter()
                del r
                gc.collect()
                t2 = time.perf_counter()
                r = streaming_call()
                t3 = time.perf_counter()
                del r
                pairs.append((t1 - t0) / (t3 - t2))
            row["default_vs_streaming_paired_median"] = round(statistics.median(pairs), 3)
            row["peer_over_default"] = round(row["peer_numpy_ms"] / row["numpy"]["wall_ms"], 2)
            rows.append(row)
    print(json.dumps({"zhili": zhili.__version__, "results": rows}, indent=2))


if __name__ == "__main__":
    main()
