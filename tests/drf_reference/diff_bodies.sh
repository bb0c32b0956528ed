#!/usr/bin/env bash
# The differential body run of diff_bodies.py: DRF (runserver) and the conformance app
# (runserver), each on its own copy of the fixture database, then the comparison.
# usage: diff_bodies.sh [diff_bodies.py options]   (PYTHON: a python with Django and DRF)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$HERE/../.."
PY="${PYTHON:-$HERE/venv/bin/python}"
DRF_PORT="${DRF_PORT:-18766}"
OUR_PORT="${OUR_PORT:-18767}"
WORK="$(mktemp -d)"
cp "$ROOT/tests/fixtures/django52.sqlite3" "$WORK/drf.sqlite3"
cp "$ROOT/tests/fixtures/django52.sqlite3" "$WORK/ours.sqlite3"
(cd "$ROOT" && cargo build -q --release --example conformance)

(cd "$HERE/app" && DRFREF_DB="$WORK/drf.sqlite3" PYTHONHASHSEED=0 \
  exec "$PY" manage.py runserver "127.0.0.1:$DRF_PORT" --noreload) > "$WORK/drf.log" 2>&1 &
DRF_PID=$!
DATABASE_URL="sqlite://$WORK/ours.sqlite3" SECRET_KEY=test-secret-key-for-vectors \
  PASSWORD_ITERATIONS=10000 RUST_LOG=warn \
  "$ROOT/target/release/examples/conformance" runserver "127.0.0.1:$OUR_PORT" > "$WORK/ours.log" 2>&1 &
OUR_PID=$!
trap 'kill $DRF_PID $OUR_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
for port in "$DRF_PORT" "$OUR_PORT"; do
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.1
  done
done
"$PY" "$HERE/diff_bodies.py" "127.0.0.1:$DRF_PORT" "127.0.0.1:$OUR_PORT" "$@"
