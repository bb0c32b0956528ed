#!/usr/bin/env bash
# Regenerates tests/fixtures/ from a real Django + DRF: records every case of record.py
# against the reference app (record.sh), then builds the Django-made SQLite database the
# conformance test replays them on (same users and tokens, hashes re-encoded with 10,000
# PBKDF2 iterations so the suite stays fast). Needs python3 and PyPI.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
FIX="$HERE/../fixtures"
cd "$HERE"
bash record.sh
cp cases.jsonl "$FIX/drf_cases.jsonl"
rm -f "$FIX/django52.sqlite3"
export DRFREF_DB="$FIX/django52.sqlite3"
(cd app && ../venv/bin/python manage.py migrate -v0 && ../venv/bin/python seed.py >/dev/null && ../venv/bin/python fast_hashes.py)
rm -rf cases.jsonl options record.log server.log
echo "fixtures written to $FIX"
