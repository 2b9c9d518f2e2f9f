#!/usr/bin/env python3
"""Whole process, side by side: what a user times, not what the engine computes in process.

Every figure is a fresh process started, run to its end and reaped (start-up, reading,
computing and writing included): wall time (monotonic clock around the child) and peak
memory (the child's own max RSS from the kernel, `os.wait4`), and its CPU time (user + system,
all threads: the steadier figure when other processes load the machine). Each command runs REPEAT
times (ZHILI_BENCH_REPEAT, default 3), interleaved with the peer's, and the best wall time
and the largest peak memory are reported, with ratios peer ÷ zhili (above 1 = zhili faster).

Rows:
  * the numpy peer's `score --repeat 1` (pandas `read_csv` + numpy + ranks) against
    `zhili score -f fw.json -d data.csv -p pipe.toml --format csv --out z.csv` (the default
    columns, and `--columns all`: every normalised indicator too), `zhili validate` (reading
    and checking only) and `zhili score --format json`, at 100,000 × 67 and 1,000,000 × 67
    (ZHILI_BENCH_SIZES, e.g. "100000" to skip the big one);
  * reading alone, UTF-8 and GBK, with the same number of threads (ZHILI_BENCH_THREADS,
    default: every core): polars `read_csv`, pandas `read_csv` (C engine, one thread) and
    pyarrow `csv.read_csv`, each timed in process around the read only (their interpreter
    start-up and imports not counted), against `zhili validate`'s whole process;
  * Parquet 1,000,000 × 67 → scores: pandas `read_parquet` + the peer's numpy scoring
    against `zhili score --data x.parquet` (skipped, with a message, while zhili cannot
    read Parquet);
  * JSON output's peak memory against the CSV output's;
  * the scale cliff of issue 19: `zhili score` on 5 units × 25,000 / 50,000 / 100,000
    indicators (ZHILI_BENCH_WIDE, default "25000 50000 100000").

With ZHILI_BIN_BEFORE=path/to/an/older/zhili, the score and Parquet rows also run that
binary, interleaved in the same loop (a before / after comparison in one run), and its
output files are compared with the new binary's (they must be the same bytes).

Writes bench-data/whole-process.md (the table) and prints it. Run it through
`scripts/bench.sh` (which builds the release binary and the Python environment) or alone:
`.venv-bench/bin/python benches/whole_process.py [numpy_baseline.py]`.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "bench" / "numpy_baseline.py"
DATA = ROOT / "bench-data"
ZHILI = Path(os.environ.get("ZHILI_BIN", ROOT / "target" / "release" / "zhili"))
BEFORE = Path(os.environ["ZHILI_BIN_BEFORE"]) if os.environ.get("ZHILI_BIN_BEFORE") else None
REPEAT = int(os.environ.get("ZHILI_BENCH_REPEAT", "3"))
SIZES = [int(s) for s in os.environ.get("ZHILI_BENCH_SIZES", "100000 1000000").split()]
# JSON output at 1,000,000 units needed 15 GB before streaming: opt in with this variable.
JSON_SIZES = [int(s) for s in os.environ.get("ZHILI_BENCH_JSON_SIZES", "100000").split()]
WIDE = [int(s) for s in os.environ.get("ZHILI_BENCH_WIDE", "25000 50000 100000").split()]
THREADS = int(os.environ.get("ZHILI_BENCH_THREADS", str(os.cpu_count() or 1)))
M = 67
PY = sys.executable

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

# Reading alone, in process: the child prints the wall and CPU seconds (all its threads)
# spent in the read call.
READERS = {
    "polars": (
        "import os, sys, time, io; import polars as pl; p, enc = sys.argv[1:3]\n"
        "t, c = time.perf_counter(), time.process_time()\n"
        "df = pl.read_csv(p) if enc == 'utf-8' else pl.read_csv(io.BytesIO(open(p, 'rb').read().decode(enc).encode()))\n"
        "print(time.perf_counter() - t, time.process_time() - c, df.shape)"
    ),
    "pandas": (
        "import sys, time; import pandas as pd; p, enc = sys.argv[1:3]\n"
        "t, c = time.perf_counter(), time.process_time(); df = pd.read_csv(p, encoding=enc); print(time.perf_counter() - t, time.process_time() - c, df.shape)"
    ),
    "pyarrow": (
        "import sys, time; import pyarrow as pa, pyarrow.csv as pc; p, enc = sys.argv[1:3]\n"
        "t, c = time.perf_counter(), time.process_time(); tb = pc.read_csv(p, read_options=pc.ReadOptions(encoding=enc, use_threads=True))\n"
        "print(time.perf_counter() - t, time.process_time() - c, tb.shape)"
    ),
}

# The peer on Parquet: pandas read_parquet + the peer's own numpy scoring, one process.
PEER_PARQUET = (
    "import sys; sys.path.insert(0, sys.argv[1]); import numpy as np, pandas as pd, numpy_baseline as nb\n"
    "df = pd.read_parquet(sys.argv[2]); ids = df.iloc[:, 0].to_numpy(); cols = [str(c) for c in df.columns[1:]]\n"
    "X = df.iloc[:, 1:].to_numpy(dtype=np.float64); fw = nb.load_framework(sys.argv[3], cols)\n"
    "dims, index, ranks = nb.score_numpy(X, fw); print(float(index.sum()))"
)


def env_threads() -> dict:
    e = dict(os.environ)
    n = str(THREADS)
    e.update({"POLARS_MAX_THREADS": n, "RAYON_NUM_THREADS": n, "OMP_NUM_THREADS": n, "OPENBLAS_NUM_THREADS": n, "ARROW_NUM_THREADS": n})
    return e


def run_child(cmd: list) -> tuple[float, float, str, int, float]:
    """Run cmd in a fresh child: (wall s, its own peak RSS in MB from os.wait4, output, exit
    code, CPU s = user + system over all its threads)."""
    t = time.perf_counter()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: stdout+stderr into the pipe, then exec
        os.close(r)
        os.dup2(w, 1)
        os.dup2(w, 2)
        os.close(w)
        try:
            os.execvpe(str(cmd[0]), [str(c) for c in cmd], env_threads())
        finally:
            os._exit(127)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 1 << 16)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t
    out = b"".join(chunks).decode(errors="replace")
    return wall, ru.ru_maxrss / 1024, out, os.waitstatus_to_exitcode(status), ru.ru_utime + ru.ru_stime


def best(cmds: dict) -> dict:
    """Run each named command REPEAT times, interleaved; best wall, largest peak, last output."""
    runs = {k: [] for k in cmds}
    for _ in range(REPEAT):
        for k, c in cmds.items():
            wall, rss, out, rc, cpu = run_child(c)
            if rc != 0:
                raise SystemExit(f"failed ({rc}): {' '.join(map(str, c))}\n{out[-2000:]}")
            runs[k].append((wall, rss, out, cpu))
    return {
        k: {"wall": min(r[0] for r in v), "rss": max(r[1] for r in v), "outs": [r[2] for r in v], "cpu": min(r[3] for r in v)}
        for k, v in runs.items()
    }


def zhili_framework(fw_json: Path, out: Path) -> None:
    fw = json.loads(fw_json.read_text())
    nodes = [{"id": "index"}]
    for d in fw["dimensions"]:
        nodes.append({"id": d["id"], "parent": "index", "weight": d["weight"]})
        for i in d["indicators"]:
            nodes.append({"id": i["id"], "parent": d["id"], "weight": i["weight"], "direction": i.get("polarity", "benefit")})
    out.write_text(json.dumps({"version": 1, "nodes": nodes}))


def data_files(n: int) -> tuple[Path, Path, Path]:
    csv = DATA / f"data_N{n}_M{M}_s1.csv"
    if not csv.exists():
        subprocess.run([PY, str(BASELINE), "gen", "--units", str(n), "--indicators", str(M), "--seed", "1", "--out", str(csv)], check=True, capture_output=True)
    zfw = DATA / f"zhili_fw_M{M}.json"
    zhili_framework(csv.with_suffix(".json"), zfw)
    pipe = DATA / "zhili_score_pipeline.toml"
    pipe.write_text(PIPELINE)
    return csv, zfw, pipe


def gbk_copy(csv: Path) -> Path:
    """The same data with Chinese unit ids and unit column name, encoded as GBK."""
    out = csv.with_name(csv.stem + "_gbk.csv")
    if not out.exists():
        with open(csv, encoding="utf-8") as f, open(out, "w", encoding="gbk", newline="") as g:
            head = f.readline()
            g.write("单位" + head[head.index(","):])
            for line in f:
                g.write("县" + line)
    return out


def parquet_copy(csv: Path) -> Path:
    out = csv.with_suffix(".parquet")
    if not out.exists():
        import pandas as pd

        pd.read_csv(csv).to_parquet(out, index=False)
    return out


def zhili_reads_parquet(zfw: Path, pipe: Path) -> bool:
    probe = DATA / "probe.parquet"
    import pandas as pd

    pd.DataFrame({"unit_id": ["a", "b"], **{f"I{j + 1:03d}": [1.0, 2.0] for j in range(M)}}).to_parquet(probe, index=False)
    _, _, _, rc, _ = run_child([ZHILI, "score", "-f", zfw, "-d", probe, "-p", pipe, "--unit-column", "unit_id", "--format", "csv", "--out", DATA / "probe_out.csv"])
    return rc == 0


def wide_files(k: int) -> tuple[Path, Path]:
    """5 units × k indicators (issue 19's scale cliff): CSV + framework of 10 dimensions."""
    csv = DATA / f"wide_N5_M{k}.csv"
    fw = DATA / f"wide_fw_M{k}.json"
    if not csv.exists():
        ids = [f"X{j:06d}" for j in range(k)]
        with open(csv, "w") as f:
            f.write("unit_id," + ",".join(ids) + "\n")
            for u in range(5):
                f.write(f"U{u}," + ",".join(str((u * 7 + j * 13) % 101) for j in range(k)) + "\n")
        nodes = [{"id": "index"}] + [{"id": f"D{d}", "parent": "index"} for d in range(10)]
        nodes += [{"id": i, "parent": f"D{j % 10}"} for j, i in enumerate(ids)]
        fw.write_text(json.dumps({"version": 1, "nodes": nodes}))
    return csv, fw


def same_bytes(a: Path, b: Path) -> None:
    """The before and after binaries must write the same file."""
    import filecmp

    if not filecmp.cmp(a, b, shallow=False):
        raise SystemExit(f"{a} and {b} differ")
    print(f"same bytes: {a.name} = {b.name}", flush=True)


def ms(s: float) -> str:
    return f"{s:.2f} s" if s >= 1 else f"{s * 1e3:.0f} ms"


def main() -> None:
    if not ZHILI.exists():
        raise SystemExit(f"{ZHILI} missing: cargo build --release --bin zhili")
    DATA.mkdir(exist_ok=True)
    lines = [
        "# Whole process, side by side",
        "",
        f"One run of `benches/whole_process.py` ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"{THREADS} threads for every reader, best of {REPEAT} interleaved runs; peak = max RSS of the process). "
        "Ratio = peer ÷ zhili: above 1 means zhili is faster / smaller.",
        "",
        "| workload | size | peer | peer wall | peer CPU | peer peak | zhili | zhili wall | zhili CPU | zhili peak | wall ratio | CPU ratio | memory ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def row(work: str, size: str, peer_name: str, peer: dict | None, ours_name: str, ours: dict) -> None:
        if peer is None:
            lines.append(f"| {work} | {size} | | | | | {ours_name} | {ms(ours['wall'])} | {ms(ours['cpu'])} | {ours['rss']:.0f} MB | | | |")
            return
        cpu = f"{peer['cpu'] / ours['cpu']:.2f}×" if peer.get("cpu") else ""
        lines.append(
            f"| {work} | {size} | {peer_name} | {ms(peer['wall'])} | {ms(peer['cpu']) if peer.get('cpu') else ''} | {peer['rss']:.0f} MB | "
            f"{ours_name} | {ms(ours['wall'])} | {ms(ours['cpu'])} | {ours['rss']:.0f} MB | **{peer['wall'] / ours['wall']:.2f}×** | {cpu} | "
            f"{peer['rss'] / ours['rss']:.2f}× |"
        )
        print(f"{work:28} {size:>14}  peer {ms(peer['wall']):>9} cpu {ms(peer['cpu']) if peer.get('cpu') else '-':>8} {peer['rss']:6.0f} MB   "
              f"zhili {ms(ours['wall']):>9} cpu {ms(ours['cpu']):>8} {ours['rss']:6.0f} MB   wall ×{peer['wall'] / ours['wall']:.2f} cpu {cpu} "
              f"memory ×{peer['rss'] / ours['rss']:.2f}", flush=True)

    for n in SIZES:
        csv, zfw, pipe = data_files(n)
        size = f"{n:,} × {M}"
        common = ["-f", zfw, "-d", csv, "-p", pipe, "--unit-column", "unit_id"]
        cmds = {
            "peer": [PY, BASELINE, "score", "--units", n, "--indicators", M, "--data", csv, "--framework", csv.with_suffix(".json"), "--repeat", "1"],
            "csv": [ZHILI, "score", *common, "--format", "csv", "--out", DATA / f"z_N{n}.csv"],
            "all": [ZHILI, "score", *common, "--format", "csv", "--columns", "all", "--out", DATA / f"z_all_N{n}.csv"],
            "validate": [ZHILI, "validate", "-f", zfw, "-d", csv, "--unit-column", "unit_id"],
        }
        if BEFORE:
            cmds["csv_before"] = [BEFORE, *cmds["csv"][1:-1], DATA / f"z_before_N{n}.csv"]
            cmds["all_before"] = [BEFORE, *cmds["all"][1:-1], DATA / f"z_all_before_N{n}.csv"]
        if n in JSON_SIZES:
            cmds["json"] = [ZHILI, "score", *common, "--format", "json", "--out", DATA / f"z_N{n}.json"]
        r = best(cmds)
        peer_name = "numpy peer `score --repeat 1`"
        if BEFORE:
            row("score, CSV → CSV (before)", size, peer_name, r["peer"], f"`{BEFORE.name} score --format csv`", r["csv_before"])
            same_bytes(DATA / f"z_before_N{n}.csv", DATA / f"z_N{n}.csv")
        row("score, CSV → CSV", size, peer_name, r["peer"], "`zhili score --format csv`", r["csv"])
        if BEFORE:
            row("`--columns all` (before)", size, peer_name, r["peer"], f"`{BEFORE.name} score --columns all`", r["all_before"])
            same_bytes(DATA / f"z_all_before_N{n}.csv", DATA / f"z_all_N{n}.csv")
        row("score, CSV → CSV, `--columns all`", size, peer_name, r["peer"], "`zhili score --columns all`", r["all"])
        for f in ["z_all_N", "z_all_before_N", "z_before_N"]:
            (DATA / f"{f}{n}.csv").unlink(missing_ok=True)
        row("read + check only", size, peer_name, r["peer"], "`zhili validate`", r["validate"])
        if "json" in r:
            row("score, CSV → JSON", size, peer_name, r["peer"], "`zhili score --format json`", r["json"])
            lines.append(f"| JSON peak ÷ CSV peak | {size} | | | | | | | | | | | {r['json']['rss'] / r['csv']['rss']:.2f} (target ≤ 2) |")

    # Reading alone.
    n_read = min(SIZES)
    csv, zfw, pipe = data_files(n_read)
    for enc, path, unit in [("utf-8", csv, "unit_id"), ("gbk", gbk_copy(csv), "单位")]:
        cmds = {name: [PY, "-c", code, path, enc] for name, code in READERS.items()}
        # Every reader is told the encoding (chardetng takes this file's one repeated 县 for another).
        cmds["zhili"] = [ZHILI, "validate", "-f", zfw, "-d", path, "--unit-column", unit, "--encoding", enc]
        r = best(cmds)
        for name in READERS:
            secs = min(float(o.split()[0]) for o in r[name]["outs"])
            cpu = min(float(o.split()[1]) for o in r[name]["outs"])
            peer = {"wall": secs, "rss": r[name]["rss"], "cpu": cpu}
            row(f"read only, {enc.upper()}", f"{n_read:,} × {M}", f"{name} read (in process)", peer, "`zhili validate` (whole process)", r["zhili"])

    # Parquet.
    n_pq = max(SIZES)
    csv, zfw, pipe = data_files(n_pq)
    pq = parquet_copy(csv)
    if zhili_reads_parquet(zfw, pipe):
        cmds = {
            "peer": [PY, "-c", PEER_PARQUET, BASELINE.parent, pq, csv.with_suffix(".json")],
            "zhili": [ZHILI, "score", "-f", zfw, "-d", pq, "-p", pipe, "--unit-column", "unit_id", "--format", "csv", "--out", DATA / "z_parquet.csv"],
        }
        if BEFORE:
            cmds["before"] = [BEFORE, *cmds["zhili"][1:-1], DATA / "z_parquet_before.csv"]
        r = best(cmds)
        if BEFORE:
            row("Parquet → scores (before)", f"{n_pq:,} × {M}", "pandas `read_parquet` + numpy", r["peer"], f"`{BEFORE.name} score -d x.parquet`", r["before"])
            same_bytes(DATA / "z_parquet_before.csv", DATA / "z_parquet.csv")
        row("Parquet → scores", f"{n_pq:,} × {M}", "pandas `read_parquet` + numpy", r["peer"], "`zhili score -d x.parquet`", r["zhili"])
    else:
        msg = "skipped: this zhili cannot read Parquet yet (`zhili score --data x.parquet` fails)"
        print(f"Parquet → scores: {msg}", flush=True)
        lines.append(f"| Parquet → scores | {n_pq:,} × {M} | | | | | {msg} | | | | | | |")

    # Scale cliff (issue 19): wide data.
    for k in WIDE:
        wcsv, wfw = wide_files(k)
        r = best({"zhili": [ZHILI, "score", "-f", wfw, "-d", wcsv, "--unit-column", "unit_id", "--format", "csv", "--out", DATA / f"z_wide_{k}.csv"]})
        row("score, 5 units, wide", f"5 × {k:,}", "", None, "`zhili score`", r["zhili"])
        print(f"{'score, 5 units, wide':28} {f'5 × {k:,}':>14}  zhili {ms(r['zhili']['wall'])} cpu {ms(r['zhili']['cpu'])} {r['zhili']['rss']:.0f} MB", flush=True)

    text = "\n".join(lines) + "\n"
    (DATA / "whole-process.md").write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    main()
