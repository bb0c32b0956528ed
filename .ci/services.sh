#!/usr/bin/env bash
# Installs (from Debian's packages, when missing) and starts the real servers the test suite
# uses, each with its own data directory on loopback. Sourced by .ci/run; usable by hand:
#   source .ci/services.sh && start_postgres && start_redis
# Each start_* exports the URL the tests read.

CI_STATE_DIR="${CI_STATE_DIR:-/tmp/drf-ci}"
PG_PORT="${PG_PORT:-54329}"
REDIS_PORT="${REDIS_PORT:-63799}"

apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

start_postgres() {
  if ! pg_bin >/dev/null; then
    echo "installing PostgreSQL from Debian's packages"
    apt_install postgresql
  fi
  local bin data sock
  bin="$(pg_bin)"
  data="$CI_STATE_DIR/pg"
  sock="$CI_STATE_DIR/pgsock"
  mkdir -p "$CI_STATE_DIR"
  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data" "$sock"
    mkdir -p "$data" "$sock"
    chown -R postgres:postgres "$data" "$sock" 2>/dev/null || true
    run_pg "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! run_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    run_pg "$bin/pg_ctl" -D "$data" -w -l "$data/server.log" \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $sock -c fsync=off -c max_connections=200" start >/dev/null
  fi
  for db in drf_test drf_django; do
    "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$db'" postgres |
      grep -q 1 || "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db"
  done
  export DRF_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/drf_test"
  echo "PostgreSQL at $DRF_TEST_POSTGRES_URL"
}

stop_postgres() {
  local bin
  bin="$(pg_bin)" || return 0
  run_pg "$bin/pg_ctl" -D "$CI_STATE_DIR/pg" -m fast stop >/dev/null 2>&1 || true
}

# initdb and pg_ctl refuse to run as root: run them as the postgres user when we are root.
run_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_redis() {
  if ! command -v redis-server >/dev/null; then
    echo "installing Redis from Debian's packages"
    apt_install redis-server
  fi
  mkdir -p "$CI_STATE_DIR/redis"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
      --dir "$CI_STATE_DIR/redis" --logfile "$CI_STATE_DIR/redis.log"
    for _ in $(seq 1 50); do
      redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
  fi
  export DRF_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/"
  echo "Redis at $DRF_TEST_REDIS_URL"
}

stop_redis() {
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

# A Python virtual environment with Django and DRF, for the interop tests: argon2-cffi and
# bcrypt give Django its Argon2 and bcrypt hashers, psycopg its PostgreSQL backend.
django_venv() {
  local venv="$CI_STATE_DIR/venv"
  if [ ! -x "$venv/bin/python" ]; then
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
      echo "installing python3-venv from Debian's packages"
      apt_install python3-venv
      rm -rf "$venv"
      python3 -m venv "$venv"
    fi
  fi
  "$venv/bin/python" -c 'import django, rest_framework, argon2, bcrypt, psycopg' 2>/dev/null ||
    "$venv/bin/pip" install -q "Django==5.2.19" "djangorestframework==3.18.3" "psycopg[binary]>=3.1" \
      "argon2-cffi>=23" "bcrypt>=4"
  export DRF_DJANGO_PYTHON="$venv/bin/python"
  echo "Django for interop tests: $("$venv/bin/python" -c 'from importlib.metadata import version as v; print(*(f"{p} {v(p)}" for p in ("Django", "djangorestframework", "argon2-cffi", "bcrypt", "psycopg")))')"
}

# Debian's chromium and Node.js (npm) for the browser test (.ci/browser.sh).
browser_tools() {
  command -v chromium >/dev/null 2>&1 || apt_install chromium
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
}
