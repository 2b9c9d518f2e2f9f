#!/usr/bin/env python3
"""Side by side: zhili vs the numpy peer (../shared/bench/numpy_baseline.py), same files, one run.

Generates the peer's synthetic data (2,844 x 67 and 100,000 x 67) into bench-data/, runs the
peer's `score` and zhili's `examples/score_timing.rs` on the same CSV + JSON, checks that the
index values agree to 1e-9 and the ranks are identical, and prints compute-time ratios
(numpy warm median / zhili warm median; single-threaded zhili). Run it through
`scripts/bench.sh`, which prepares the Python environment and the release build.
"""
import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "bench" / "numpy_baseline.py"
DATA = ROOT / "bench-data"
ZHILI = ROOT / "target" / "release" / "examples" / "score_timing"
SIZES = [(2844, 67), (100_000, 67)]


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    DATA.mkdir(exist_ok=True)
    rows = []
    for n, m in SIZES:
        csv_path = DATA / f"data_N{n}_M{m}_s1.csv"
        if not csv_path.exists():
            run([sys.executable, str(BASELINE), "gen", "--units", str(n), "--indicators", str(m), "--seed", "1", "--out", str(csv_path)])
        fw_path = csv_path.with_suffix(".json")
        repeat = "21" if n < 10_000 else "11"
        peer = run([sys.executable, str(BASELINE), "score", "--units", str(n), "--indicators", str(m), "--data", str(csv_path), "--framework", str(fw_path), "--repeat", repeat])
        out = DATA / f"zhili_N{n}.csv"
        ours = run([str(ZHILI), str(csv_path), str(fw_path), repeat, str(out)])
        # identical results: recompute the peer's index and ranks in-process for a cell-by-cell check
        sys.path.insert(0, str(BASELINE.parent))
        import numpy_baseline as nb  # noqa: E402

        ids, cols, X = nb.read_csv(csv_path)
        fw = nb.load_framework(fw_path, cols)
        _, index, ranks = nb.score_numpy(X, fw)
        with open(out) as f:
            z = list(csv.DictReader(f))
        assert [r["unit_id"] for r in z] == [str(u) for u in ids], "unit order"
        max_diff = max(abs(float(r["index"]) - float(v)) for r, v in zip(z, index))
        same_ranks = all(int(float(r["rank"])) == int(k) for r, k in zip(z, ranks))
        rows.append({
            "size": f"{n}x{m}",
            "numpy_warm_ms": round(peer["compute_warm_median_s"] * 1e3, 3),
            "zhili_warm_ms": round(ours["compute_warm_median_s"] * 1e3, 3),
            "ratio_numpy_over_zhili": round(peer["compute_warm_median_s"] / ours["compute_warm_median_s"], 2),
            "max_abs_index_diff": max_diff,
            "identical_ranks": same_ranks,
        })
    print(json.dumps(rows, indent=2))
    bad = [r for r in rows if r["max_abs_index_diff"] > 1e-9 or not r["identical_ranks"]]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
