#!/usr/bin/env bash
# All tests, from a clean clone: Rust (unit, integration, golden, property, doc tests)
# and, when the Python bindings are present, the Python suite in a fresh virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
# Style and lints are part of the gate: unformatted code or any clippy warning fails it.
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo test --locked --all-targets
cargo test --locked --doc
if [ -x scripts/test-python.sh ]; then
  scripts/test-python.sh
fi
scripts/test-browser.sh
