#!/usr/bin/env bash
# Browser tests: the workbench page and the HTML report in Debian's headless Chromium, driven by
# playwright-core (browser-tests/*.test.mjs, one standalone node script each). Installs Debian's
# chromium (and the CJK fonts the pages use) with apt-get when missing, and playwright-core from npm.
# Screenshots are kept in target/browser-artefacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  sudo_cmd=""
  if [ "$(id -u)" != 0 ]; then sudo_cmd="sudo"; fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
cargo build --release --locked --bin zhili
target_dir="${CARGO_TARGET_DIR:-$PWD/target}"
export ZHILI_BIN="$target_dir/release/zhili"
export ARTEFACTS="$target_dir/browser-artefacts"
mkdir -p "$ARTEFACTS"
cd browser-tests
npm install --no-audit --no-fund --silent
status=0
for t in *.test.mjs; do
  [ -e "$t" ] || continue
  echo "browser test: $t"
  if ! node "$t"; then status=1; echo "FAILED: $t"; fi
done
exit $status
