#!/usr/bin/env bash
# Benchmarks: zhili vs the numpy peer side by side (one run, same files), then criterion.
# Usage: scripts/bench.sh [path/to/numpy_baseline.py]   (default: ../shared/bench/numpy_baseline.py)
set -euo pipefail
cd "$(dirname "$0")/.."
baseline="${1:-../shared/bench/numpy_baseline.py}"
if [ ! -x .venv-bench/bin/python ]; then
  python3 -m venv .venv-bench
  .venv-bench/bin/pip install --quiet numpy pandas
fi
cargo build --release --example score_timing
.venv-bench/bin/python benches/compare_numpy.py "$baseline"
cargo build --release --bin zhili
.venv-bench/bin/python benches/compare_numpy_uncertainty.py "$baseline"
if [ "${ZHILI_BENCH_CRITERION:-1}" = 1 ]; then
  cargo bench --bench pipeline
  cargo bench --bench uncertainty
fi
