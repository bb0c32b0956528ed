#!/usr/bin/env bash
# The browsable API in a real browser: Debian's chromium, driven by playwright-core from npm
# (tests/browser/), against the quickstart on a fresh SQLite database. The steps and their
# screenshots are in tests/browser/browse.mjs; the screenshots go to the folder printed at
# the end ($CI_STATE_DIR/browser-screenshots, or /tmp/drf-ci/browser-screenshots).
#
# Usage: bash .ci/browser.sh   (needs the debug quickstart built, chromium and node)
set -euo pipefail
cd "$(dirname "$0")/.."

state="${CI_STATE_DIR:-/tmp/drf-ci}"
shots="$state/browser-screenshots"
rm -rf "$shots"
mkdir -p "$shots"

if ! command -v chromium >/dev/null 2>&1; then
  echo "error: chromium is not installed (.ci/run installs Debian's chromium)" >&2
  exit 1
fi
chromium --version
node --version
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

bin=target/debug/examples/quickstart
export DATABASE_URL="sqlite://$work/browser.sqlite3"
export SECRET_KEY=browser-ci-secret-key-0123456789abcdefghijklmnopqrstuvwxyz
"$bin" migrate >/dev/null
echo 'browser-ci-password' | "$bin" createuser alice --password-stdin >/dev/null
port=8041
BIND="127.0.0.1:$port" "$bin" >"$work/quickstart.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.2
done

if ! BASE_URL="http://127.0.0.1:$port" DRF_USER=alice DRF_PASSWORD=browser-ci-password \
  SCREENSHOTS="$shots" node tests/browser/browse.mjs; then
  echo "--- the quickstart's log" >&2
  cat "$work/quickstart.log" >&2
  echo "screenshots so far: $shots" >&2
  exit 1
fi
echo "browser screenshots: $shots"
ls "$shots"
