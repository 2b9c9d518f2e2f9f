#!/usr/bin/env bash
# Python bindings: build the extension into a virtual environment and run the Python suite
# (pytest: API, golden COINr example, bad inputs, doctests of every module, the quick-start
# notebook, `mypy.stubtest zhili._native`, zhili.plot with the Agg backend and a CJK font, the
# README's PySpark and Ray recipes on local Spark / Ray).
#
# From a clean clone this needs only python3 (>= 3.9) and the Rust toolchain: it creates
# .venv-py/ in the repository (gitignored), installs maturin and the test dependencies from
# PyPI, builds with `maturin develop --release` and runs pytest.
#   ZHILI_PY_FRESH=1   recreate .venv-py from scratch
#   ZHILI_PY_VENV=dir  use another virtual environment directory
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${ZHILI_PY_VENV:-.venv-py}"
# Debian packages, installed when missing (as test-browser.sh does): zhili.plot's tests draw
# Chinese names (CJK fonts); the PySpark recipe's tests need a Java runtime (Spark 4: Java 17+).
apt_pkgs=()
if ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then apt_pkgs+=(fonts-noto-cjk fontconfig); fi
java_version="$(java -version 2>&1 || true)"  # read whole first: grep -q on a pipe + pipefail would race
if ! grep -Eq 'version "(1[7-9]|[2-9][0-9])' <<<"$java_version"; then apt_pkgs+=(default-jre-headless); fi
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi
python="${PYTHON:-python3}"
if [ "${ZHILI_PY_FRESH:-0}" = 1 ]; then
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "maturin>=1.5,<2" numpy pandas pytest nbclient nbformat ipykernel mypy matplotlib openpyxl pyarrow polars hypothesis "dask[dataframe,distributed]" \
  "pyspark==4.3.0" "ray[data]==2.60.0"  # the README's Spark and Ray recipes (tests/test_spark_ray_recipes.py)
# maturin develop installs into the active virtual environment.
export VIRTUAL_ENV="$(cd "$venv" && pwd)"
export PATH="$VIRTUAL_ENV/bin:$PATH"
unset CONDA_PREFIX || true
(cd py-bindings && maturin develop --release --locked --quiet)
cd py-bindings
MPLBACKEND=Agg python -m pytest -p no:cacheprovider "$@"
