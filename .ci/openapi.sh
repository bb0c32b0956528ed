#!/usr/bin/env bash
# The OpenAPI documents against real tools: the quickstart and the conformance app run on fresh
# SQLite databases; each one's `GET /api/schema/` (and `spectacular --file`) passes
# openapi-spec-validator, then schemathesis fuzzes each running app from its own document,
# with every check it has but one (below). A failure fails CI.
#
# Usage: bash .ci/openapi.sh [MAX_EXAMPLES]   (needs the debug examples built, and a venv at
# $CI_STATE_DIR/venv, or /tmp/drf-ci/venv)
set -euo pipefail
cd "$(dirname "$0")/.."

examples=${1:-40}
venv="${CI_STATE_DIR:-/tmp/drf-ci}/venv"
"$venv/bin/python" -c 'import openapi_spec_validator, schemathesis' 2>/dev/null ||
  "$venv/bin/pip" install -q "openapi-spec-validator==0.9.0" "schemathesis==4.32.5"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

export SECRET_KEY=openapi-ci-secret-key-0123456789abcdefghijklmnopqrstuvwxyz

fetch() {
  "$venv/bin/python" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"
}

wait_for() {
  for _ in $(seq 1 100); do
    fetch "$1" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "error: $1 did not answer" >&2
  return 1
}

# run_app NAME PORT [CURL HEADER...]: serves the example, validates its document, fuzzes it.
run_app() {
  local name=$1 port=$2
  shift 2
  local bin="target/debug/examples/$name"
  if [ "$name" = quickstart ]; then
    # Without arguments it also creates its notes table.
    BIND="127.0.0.1:$port" "$bin" >"$work/$name.log" 2>&1 &
  else
    "$bin" runserver "127.0.0.1:$port" >"$work/$name.log" 2>&1 &
  fi
  pids+=($!)
  wait_for "http://127.0.0.1:$port/api/schema/"
  fetch "http://127.0.0.1:$port/api/schema/" >"$work/$name.served.json"
  "$bin" spectacular --file "$work/$name.json"
  "$venv/bin/openapi-spec-validator" "$work/$name.served.json" "$work/$name.json"
  # The command writes what the view serves.
  "$venv/bin/python" - "$work/$name.served.json" "$work/$name.json" <<'EOF'
import json, sys
served, written = (json.load(open(p)) for p in sys.argv[1:])
assert served == written, "spectacular --file differs from GET /api/schema/"
EOF
  # Two checks are left out, both for behaviour that is DRF's own:
  # - negative_data_rejection: DRF's fields coerce, so some data outside the schema is
  #   accepted (CharField takes 5 as "5", IntegerField takes "12");
  # - use_after_free: OPTIONS on a deleted note answers the view's metadata (200), without
  #   looking the object up.
  "$venv/bin/schemathesis" --config-file .ci/schemathesis.toml run \
    "http://127.0.0.1:$port/api/schema/" "$@" \
    --checks all --exclude-checks negative_data_rejection,use_after_free \
    --max-examples "$examples" --seed 1 --no-color --request-timeout 20 \
    --suppress-health-check all
  echo "$name: schemathesis found no failure"
}

# The quickstart, as alice with a token (and anonymous where the document says `{}`).
export DATABASE_URL="sqlite://$work/quickstart.sqlite3"
target/debug/examples/quickstart migrate >/dev/null
echo 'openapi-ci-password' | target/debug/examples/quickstart createuser alice --password-stdin >/dev/null
token=$(target/debug/examples/quickstart drf_create_token alice | awk '{print $3}')
run_app quickstart 8031 -H "Authorization: Token $token"

# The conformance app, as alice by Basic.
export DATABASE_URL="sqlite://$work/conformance.sqlite3"
target/debug/examples/conformance migrate >/dev/null
echo 'openapi-ci-password' | target/debug/examples/conformance createuser alice --password-stdin >/dev/null
run_app conformance 8032 --auth "alice:openapi-ci-password"
