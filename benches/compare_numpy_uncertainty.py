#!/usr/bin/env python3
"""Side by side: zhili vs the numpy peer's Monte Carlo uncertainty analysis, same draws, one run.

For 2,844 x 67 with R = 10,000 and 100,000 x 67 with R = 1,000:
  1. the peer (../shared/bench/numpy_baseline.py uncertainty) draws its replications, writes
     them (--draws-out) and computes per-unit median / p5 / p95 ranks and mean |rank shift|;
  2. the draws file is converted to a zhili design (w:<node> weights, the normalisation and
     aggregation as step tables: min-max [0,100] or z-score with population sd; geometric =
     dimension scores rescaled (min-max branch: 1 + 0.99 S; z-score branch: range [1,100])
     then a weighted geometric mean at the index, exactly the peer's definitions);
  3. `zhili uncertainty --replay` replays it (release build, all cores);
     steps 1 and 3 run ZHILI_BENCH_REPEAT times (default 3), interleaved, and each tool's best
     compute time is compared (the first pair's ratio and every time are reported as well);
  4. per-unit statistics are compared; compute times (each tool's own timer, wall clock),
     whole-process wall and CPU time (user + sys over all threads) and peak memory (max RSS)
     are reported. On a shared machine the CPU times are the steadier comparison.

Usage: benches/compare_numpy_uncertainty.py [numpy_baseline.py]  (run via scripts/bench.sh)
"""
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "bench" / "numpy_baseline.py"
DATA = ROOT / "bench-data"
# ZHILI_BIN: another build of the command (e.g. the previous commit's, for a before/after pair)
ZHILI = Path(os.environ.get("ZHILI_BIN", ROOT / "target" / "release" / "zhili"))
CASES = [(2844, 67, 10_000), (100_000, 67, 1_000)]
# Each tool runs REPEAT times, interleaved with the other; the best compute time of each is
# compared (the first run's ratio is reported too). Peak memory is the largest of the runs.
REPEAT = int(os.environ.get("ZHILI_BENCH_REPEAT", "3"))


def timed(cmd):
    """Run cmd in a child; return (stdout, stderr, wall s, CPU s (user + sys, all threads), peak RSS MB)."""
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter(); p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "w = time.perf_counter() - t\n"
        "sys.stdout.write(p.stdout); sys.stderr.write(p.stderr)\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'rc': p.returncode, 'wall': w, 'cpu': u.ru_utime + u.ru_stime, 'rss_kb': u.ru_maxrss}), file=sys.stderr)\n"
    )
    p = subprocess.run([sys.executable, "-c", wrapper, *cmd], capture_output=True, text=True)
    meta = json.loads(p.stderr.strip().splitlines()[-1])
    if meta["rc"] != 0:
        raise SystemExit(f"failed: {' '.join(map(str, cmd))}\n{p.stderr}")
    return p.stdout, p.stderr, meta["wall"], meta["cpu"], meta["rss_kb"] / 1024.0


def zhili_framework(fw_json: Path, out: Path):
    fw = json.loads(fw_json.read_text())
    nodes = [{"id": "index"}]
    for d in fw["dimensions"]:
        nodes.append({"id": d["id"], "parent": "index", "weight": d["weight"]})
        for i in d["indicators"]:
            nodes.append({"id": i["id"], "parent": d["id"], "weight": i["weight"],
                          "direction": i.get("polarity", "benefit")})
    out.write_text(json.dumps({"version": 1, "nodes": nodes}))


PIPELINE = """version = 1
[[steps]]
type = "impute"
method = "mean"
[[steps]]
type = "normalise"
method = "minmax"
lo = 0.0
hi = 100.0
[[steps]]
type = "aggregate"
method = "arithmetic"
"""

NORM = {"minmax": json.dumps({"method": "minmax", "lo": 0.0, "hi": 100.0}),
        "zscore": json.dumps({"method": "zscore", "mean": 0.0, "sd": 1.0, "population": True})}


def agg(norm, how):
    if how == "arithmetic":
        return json.dumps({"method": "arithmetic"})
    rescale = ({"level": 2, "kind": "affine", "scale": 0.99, "offset": 1.0} if norm == "minmax"
               else {"level": 2, "kind": "range", "lo": 1.0, "hi": 100.0})
    return json.dumps({"method": "arithmetic", "overrides": [{"level": 3, "method": "geometric"}],
                       "rescale": [rescale]})


def design_from_draws(draws: Path, out: Path):
    with open(draws) as f, open(out, "w", newline="") as g:
        r = csv.DictReader(f)
        wcols = [c for c in r.fieldnames if c.startswith("wd_") or c.startswith("wi_")]
        w = csv.writer(g)
        w.writerow(["run", "normalise", "aggregate"] + ["w:" + c[3:] for c in wcols])
        for k, row in enumerate(r):
            n = row["normalisation"]
            w.writerow([k + 1, NORM[n], agg(n, row["aggregation"])] + [row[c] for c in wcols])


def read_stats(path, key, cols):
    with open(path) as f:
        return {row[key]: [float(row[c]) for c in cols] for row in csv.DictReader(f)}


def main():
    DATA.mkdir(exist_ok=True)
    py = sys.executable
    rows = []
    for n, m, reps in CASES:
        data = DATA / f"data_N{n}_M{m}_s1.csv"
        if not data.exists():
            subprocess.run([py, str(BASELINE), "gen", "--units", str(n), "--indicators", str(m), "--seed", "1", "--out", str(data)], check=True, capture_output=True)
        fwj = data.with_suffix(".json")
        zfw = DATA / f"zhili_fw_M{m}.json"
        zhili_framework(fwj, zfw)
        pipe = DATA / "zhili_uncertainty_pipeline.toml"
        pipe.write_text(PIPELINE)
        draws = DATA / f"ua_draws_N{n}_R{reps}.csv"
        peer_out = DATA / f"ua_numpy_N{n}_R{reps}.csv"
        ours_out = DATA / f"ua_zhili_N{n}_R{reps}.csv"
        design = DATA / f"ua_design_N{n}_R{reps}.csv"
        peer_runs, our_runs = [], []
        for rep in range(REPEAT):  # interleaved: both tools see the same spells of load
            out, _, wall, cpu, rss = timed([py, str(BASELINE), "uncertainty", "--units", str(n), "--indicators", str(m), "--data", str(data), "--framework", str(fwj), "--reps", str(reps), "--seed", "1", "--draws-out", str(draws), "--out", str(peer_out)])
            peer_runs.append((json.loads(out.strip().splitlines()[-1])["compute_s"], wall, cpu, rss))
            if rep == 0:
                design_from_draws(draws, design)
            _, err, wall, cpu, rss = timed([str(ZHILI), "uncertainty", "-f", str(zfw), "-d", str(data), "-p", str(pipe), "--unit-column", "unit_id", "--replay", str(design), "-o", str(ours_out)])
            secs = [float(l.split(" runs in ")[1].split()[0]) for l in err.splitlines() if " runs in " in l]
            our_runs.append((secs[0] if secs else float("nan"), wall, cpu, rss))
        best = lambda runs: min(runs, key=lambda r: r[0])
        peer_compute, peer_wall, peer_cpu, _ = best(peer_runs)
        ours_compute, our_wall, our_cpu, _ = best(our_runs)
        peer_rss = max(r[3] for r in peer_runs)
        our_rss = max(r[3] for r in our_runs)
        a = read_stats(peer_out, "unit_id", ["nominal_rank", "median_rank", "p5_rank", "p95_rank", "mean_abs_rank_shift"])
        b = read_stats(ours_out, "unit", ["nominal_rank", "median_rank", "p5_rank", "p95_rank", "mean_abs_rank_shift"])
        names = ["nominal", "median", "p5", "p95", "mean_abs_shift"]
        mism = {k: 0 for k in names}
        worst = {k: 0.0 for k in names}
        for u, va in a.items():
            vb = b[u]
            for k, x, y in zip(names, va, vb):
                d = abs(x - y)
                worst[k] = max(worst[k], d)
                if d > 1e-9 * (1 + abs(x)):
                    mism[k] += 1
        rows.append({
            "size": f"{n}x{m}", "runs": reps,
            "repeats": REPEAT,
            "numpy_compute_s": round(peer_compute, 4),
            "zhili_compute_s": round(ours_compute, 4),
            "ratio_numpy_over_zhili": round(peer_compute / ours_compute, 1),
            "ratio_first_run": round(peer_runs[0][0] / our_runs[0][0], 1),
            "numpy_compute_each_s": [round(r[0], 3) for r in peer_runs],
            "zhili_compute_each_s": [round(r[0], 3) for r in our_runs],
            "numpy_wall_s": round(peer_wall, 3), "zhili_wall_s": round(our_wall, 3),
            "numpy_process_cpu_s": round(peer_cpu, 3), "zhili_process_cpu_s": round(our_cpu, 3),
            "numpy_peak_rss_mb": round(peer_rss, 1), "zhili_peak_rss_mb": round(our_rss, 1),
            "units_differing": mism, "max_abs_diff": worst,
        })
        print(json.dumps(rows[-1]), flush=True)
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
