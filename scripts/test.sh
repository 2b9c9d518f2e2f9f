#!/usr/bin/env bash
# All tests, from a clean clone: Rust (unit, integration, golden, property, doc tests)
# and, when the Python bindings are present, the Python suite in a fresh virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
# The lint gate needs these toolchain components (a fresh machine may lack them).
if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi
# Style and lints are part of the gate: unformatted code or any clippy warning fails it.
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo test --locked --all-targets
cargo test --locked --doc
if [ -x scripts/test-python.sh ]; then
  scripts/test-python.sh
fi
scripts/test-browser.sh
