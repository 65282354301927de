#!/usr/bin/env bash
# Starts (or reuses) a private PostgreSQL server for the tests and prints its admin URL.
# Usage: eval "$(scripts/test-postgres.sh)"   -> exports HALLCALL_TEST_PG_URL
# It listens on 127.0.0.1 only, keeps its data in $HALLCALL_PG_DIR (default /tmp/hallcall-test-pg)
# and needs Debian's postgresql package. PostgreSQL refuses to run as root, so as root the
# server runs as the `postgres` user.
set -euo pipefail

PORT="${HALLCALL_PG_PORT:-54329}"
DIR="${HALLCALL_PG_DIR:-/tmp/hallcall-test-pg}"
URL="postgresql://hallcall:hallcall@127.0.0.1:${PORT}/postgres"

if [ -n "${HALLCALL_TEST_PG_URL:-}" ]; then
  echo "export HALLCALL_TEST_PG_URL='${HALLCALL_TEST_PG_URL}'"
  exit 0
fi

BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "echo 'PostgreSQL server binaries not found (apt-get install postgresql); PostgreSQL tests will not run' >&2"
  exit 0
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ ! -f "$DIR/PG_VERSION" ]; then
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
  pwfile="$(mktemp)"; echo hallcall > "$pwfile"; chmod 644 "$pwfile"
  as_owner "$BIN/initdb" -D "$DIR" -U hallcall --pwfile="$pwfile" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
fi

if ! as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
  as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k /tmp -c fsync=off -c max_connections=200" start >/dev/null
fi

echo "export HALLCALL_TEST_PG_URL='${URL}'"
