#!/usr/bin/env bash
# Benchmarks: zhili vs the numpy peer side by side (one run, same files): compute only, then
# whole processes (start-up, reading and writing included), then criterion.
# Usage: scripts/bench.sh [path/to/numpy_baseline.py]   (default: ../shared/bench/numpy_baseline.py)
set -euo pipefail
cd "$(dirname "$0")/.."
baseline="${1:-../shared/bench/numpy_baseline.py}"
if [ ! -x .venv-bench/bin/python ]; then
  python3 -m venv .venv-bench
fi
# polars and pyarrow: the readers the whole-process table compares with.
if ! .venv-bench/bin/python -c 'import numpy, pandas, polars, pyarrow' 2>/dev/null; then
  .venv-bench/bin/pip install --quiet numpy pandas polars pyarrow
fi
cargo build --release --example score_timing
.venv-bench/bin/python benches/compare_numpy.py "$baseline"
cargo build --release --bin zhili
.venv-bench/bin/python benches/compare_numpy_uncertainty.py "$baseline"
# Python: zhili.score on a DataFrame (pandas, polars, pyarrow) vs the peer's compute, one
# process; needs the extension built into .venv-py (scripts/test-python.sh).
if [ -x .venv-py/bin/python ] && .venv-py/bin/python -c 'import zhili' 2>/dev/null; then
  .venv-py/bin/python benches/python_score.py "$baseline"
else
  echo "skipping benches/python_score.py: run scripts/test-python.sh first (builds .venv-py)"
fi
# Dask: 10,000,000 × 67 from Parquet (~5 GB written once to bench-data/, deleted after) on a
# 2-worker LocalCluster (4 GiB each): zhili.dask.score vs dask + numpy vs one-machine zhili.score.
# Needs ~12 GB of free memory and ~6 GB of disk; ZHILI_BENCH_DASK=0 skips it.
if [ "${ZHILI_BENCH_DASK:-1}" = 1 ] && [ -x .venv-py/bin/python ] && .venv-py/bin/python -c 'import zhili.dask, distributed' 2>/dev/null; then
  .venv-py/bin/python benches/dask_score.py --baseline "$baseline" --clean
fi
# What a user times: whole processes side by side (writes bench-data/whole-process.md).
.venv-bench/bin/python benches/whole_process.py "$baseline"
if [ "${ZHILI_BENCH_CRITERION:-1}" = 1 ]; then
  cargo bench --bench pipeline
  cargo bench --bench uncertainty
fi
