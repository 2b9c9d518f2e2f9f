#!/usr/bin/env python3
"""Side by side: the general path of zhili's uncertainty engine (TOPSIS at the index) vs numpy.

2,844 units x 67 indicators, R = 1,000 runs of the peer's weight draws (numpy_baseline.py:
dimension and indicator weights x U(0.75, 1.25), renormalised); the pipeline is the peer's
(mean imputation, min-max [0, 100] with polarity, weighted arithmetic dimension scores), and the
index is TOPSIS over the dimensions with vector normalisation:

    r_ud = S_ud / sqrt(sum_u S_ud^2),  v_ud = w_d r_ud,  A+_d = max_u v_ud,  A-_d = min_u v_ud
    D+_u = sqrt(sum_d (v_ud - A+_d)^2),  D-_u = sqrt(sum_d (v_ud - A-_d)^2),  C_u = D-_u / (D+_u + D-_u)

numpy: written here from the peer's formulas, vectorised over batches of runs (dimension scores
by one matmul per batch, as the peer's geometric branch), ranked by the peer's rank_desc_min,
summarised by np.percentile (type 7) and the mean |rank shift| against the nominal run.
zhili: `zhili uncertainty --replay` of the same draws (the design's w: columns) with the
pipeline's aggregate step `{"method":"arithmetic","overrides":[{"level":3,"method":"topsis"}]}`.
Both run ZHILI_BENCH_REPEAT times (default 3), interleaved; best compute times compared.

Usage: benches/compare_numpy_topsis.py [numpy_baseline.py]
"""
import csv
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "bench" / "numpy_baseline.py"
DATA = ROOT / "bench-data"
# ZHILI_BIN: another build of the command (e.g. the previous commit's, for a before/after pair)
ZHILI = Path(os.environ.get("ZHILI_BIN", ROOT / "target" / "release" / "zhili"))
N, M, R = 2844, 67, 1000
REPEAT = int(os.environ.get("ZHILI_BENCH_REPEAT", "3"))

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
overrides = [{ level = 3, method = "topsis" }]
"""


def load_peer():
    spec = importlib.util.spec_from_file_location("numpy_baseline", BASELINE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def topsis(S, wd):
    """TOPSIS closeness of (B, D, N) dimension scores under (B, D) weights summing to 1."""
    V = S / np.sqrt(np.einsum("bdn,bdn->bd", S, S))[:, :, None]
    V *= wd[:, :, None]
    dp = V - V.max(axis=2, keepdims=True)
    dm = V - V.min(axis=2, keepdims=True)
    dp = np.sqrt(np.einsum("bdn,bdn->bn", dp, dp))
    dm = np.sqrt(np.einsum("bdn,bdn->bn", dm, dm))
    return dm / (dp + dm)


def numpy_topsis_ua(peer, X, fw, draws, batch=64):
    t0 = time.perf_counter()
    n, m = X.shape
    D = fw.n_dims
    Z = np.ascontiguousarray(peer.minmax(peer.impute_mean(X), fw.cost).T)  # M x N

    def dims(wi):
        b = len(wi)
        W = np.zeros((b, D, m))
        W[:, fw.dim_of, np.arange(m)] = wi
        return (W.reshape(b * D, m) @ Z).reshape(b, D, n)

    wd0 = (fw.w_dim / fw.w_dim.sum())[None, :]
    nominal = peer.rank_desc_min(topsis(dims(fw.within_dim_weights(fw.w_ind)[None, :]), wd0))[0]
    wd, wi = draws["wd"], draws["wi"]
    ranks = np.empty((len(wd), n), dtype=np.int32)
    for r0 in range(0, len(wd), batch):
        r1 = min(len(wd), r0 + batch)
        ranks[r0:r1] = peer.rank_desc_min(topsis(dims(wi[r0:r1]), wd[r0:r1]))
    p5, p50, p95 = np.percentile(ranks, [5, 50, 95], axis=0)
    shift = np.abs(ranks - nominal).mean(axis=0)
    return time.perf_counter() - t0, {"nominal": nominal, "median": p50, "p5": p5, "p95": p95, "mean_abs_shift": shift}


def main():
    peer = load_peer()
    DATA.mkdir(exist_ok=True)
    data = DATA / f"data_N{N}_M{M}_s1.csv"
    if not data.exists():
        subprocess.run([sys.executable, str(BASELINE), "gen", "--units", str(N), "--indicators", str(M), "--seed", "1", "--out", str(data)], check=True, capture_output=True)
    fwj = data.with_suffix(".json")
    ids, cols, X = peer.read_csv(data)
    fw = peer.load_framework(fwj, cols)
    draws = peer.draw_replications(fw, R, 1)
    # the zhili framework and the design: the same weights, run by run
    fwd = json.loads(fwj.read_text())
    nodes = [{"id": "index"}]
    for d in fwd["dimensions"]:
        nodes.append({"id": d["id"], "parent": "index", "weight": d["weight"]})
        for i in d["indicators"]:
            nodes.append({"id": i["id"], "parent": d["id"], "weight": i["weight"], "direction": i.get("polarity", "benefit")})
    zfw = DATA / f"zhili_fw_M{M}.json"
    zfw.write_text(json.dumps({"version": 1, "nodes": nodes}))
    pipe = DATA / "zhili_topsis_pipeline.toml"
    pipe.write_text(PIPELINE)
    design = DATA / f"ua_topsis_design_N{N}_R{R}.csv"
    with open(design, "w", newline="") as g:
        w = csv.writer(g)
        w.writerow(["run"] + [f"w:{d}" for d in fw.dim_ids] + [f"w:{c}" for c in cols])
        for k in range(R):
            w.writerow([k + 1] + [repr(float(x)) for x in draws["wd"][k]] + [repr(float(x)) for x in draws["wi"][k]])
    out = DATA / f"ua_topsis_zhili_N{N}_R{R}.csv"
    peer_t, ours_t = [], []
    for _ in range(REPEAT):
        t, ref = numpy_topsis_ua(peer, X, fw, draws)
        peer_t.append(t)
        p = subprocess.run([str(ZHILI), "uncertainty", "-f", str(zfw), "-d", str(data), "-p", str(pipe), "--unit-column", "unit_id", "--replay", str(design), "-o", str(out)], capture_output=True, text=True)
        if p.returncode != 0:
            raise SystemExit(p.stderr)
        secs = [float(l.split(" runs in ")[1].split()[0]) for l in p.stderr.splitlines() if " runs in " in l]
        ours_t.append(secs[0] if secs else float("nan"))
    with open(out) as f:
        ours = {row["unit"]: row for row in csv.DictReader(f)}
    names = {"nominal": "nominal_rank", "median": "median_rank", "p5": "p5_rank", "p95": "p95_rank", "mean_abs_shift": "mean_abs_rank_shift"}
    differing = {k: 0 for k in names}
    worst = {k: 0.0 for k in names}
    for u, uid in enumerate(ids):
        for k, col in names.items():
            d = abs(float(ours[str(uid)][col]) - float(ref[k][u]))
            worst[k] = max(worst[k], d)
            differing[k] += d > 1e-9 * (1 + abs(float(ref[k][u])))
    row = {
        "case": f"uncertainty TOPSIS index {N}x{M} R={R}",
        "numpy_compute_s": round(min(peer_t), 4), "zhili_compute_s": round(min(ours_t), 4),
        "ratio_numpy_over_zhili": round(min(peer_t) / min(ours_t), 1),
        "numpy_each_s": [round(t, 3) for t in peer_t], "zhili_each_s": [round(t, 3) for t in ours_t],
        "units_differing": differing, "max_abs_diff": worst,
    }
    print(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
