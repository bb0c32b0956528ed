#!/usr/bin/env bash
# Rebuild the DRF reference recordings: venv (if missing), fresh DB, server, cases.jsonl.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
cd "$HERE"
PORT="${PORT:-18765}"
DJANGO_SPEC="${DJANGO_SPEC:-Django==5.2.19}"
DRF_SPEC="${DRF_SPEC:-djangorestframework==3.18.3}"

if [ ! -x venv/bin/python ]; then
  python3 -m venv venv
  venv/bin/pip install -q "$DJANGO_SPEC" "$DRF_SPEC"
fi
venv/bin/python -c 'import django, rest_framework; print("Django", django.get_version(), "DRF", rest_framework.__version__)'

cd app
rm -f db.sqlite3
../venv/bin/python manage.py migrate -v0
../venv/bin/python seed.py

# PYTHONHASHSEED=0 makes the order inside `Allow` stable (DRF builds it from a set).
PYTHONHASHSEED=0 ../venv/bin/python manage.py runserver "127.0.0.1:$PORT" --noreload > "$HERE/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  sleep 0.1
done
cd "$HERE"
venv/bin/python record.py 127.0.0.1 "$PORT" cases.jsonl > record.log
venv/bin/python extract_options.py cases.jsonl options
echo "recorded $(wc -l < cases.jsonl) cases into $HERE/cases.jsonl"
