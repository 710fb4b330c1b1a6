#!/usr/bin/env bash
# The contest-open surge, end to end: starts release app servers on a fresh
# database and runs the load command against them, then stops them.
#   scripts/surge.sh sqlite 1000      one server on SQLite
#   scripts/surge.sh postgres 1000    two servers sharing PostgreSQL (load spread over both)
#   scripts/surge.sh sqlite 1000 --think-ms 3000   officials who read each question ~3 s
#   LOAD=live scripts/surge.sh sqlite 500   a live session with 500 participants instead
# PG_URL (default postgres://postgres@127.0.0.1:5432/test) names the PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE="${1:-sqlite}"
OFFICIALS="${2:-1000}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/test}"

scripts/setup.sh >/dev/null
# the load goes to the API only: the server binary is enough (no wasm bundle needed)
cargo build --release --features ssr --bin thi24 --example bench --example live_bench >/dev/null

export ADMIN_PASSWORD=surge-admin-password REGISTER_LIMIT_PER_IP=1000000 LOGIN_LIMIT_PER_IP=1000000 RUST_LOG=warn
export LEPTOS_OUTPUT_NAME=thi24 LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_RELOAD_PORT=3999
mkdir -p target/surge
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

start() { # addr url
  LEPTOS_SITE_ADDR="$1" DATABASE_URL="$2" target/release/thi24 >>target/surge/server.log 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 300); do curl -sf "http://$1/api/v1/health" >/dev/null && return; sleep 0.1; done
  echo "server on $1 did not start" >&2; exit 1
}

case "$MODE" in
  sqlite)
    rm -f target/surge/surge.db*
    start 127.0.0.1:3201 sqlite:target/surge/surge.db
    BASES=http://127.0.0.1:3201
    ;;
  postgres)
    psql "$PG_URL" -qc "DROP DATABASE IF EXISTS thi24_surge WITH (FORCE)" -c "CREATE DATABASE thi24_surge"
    DB="${PG_URL%/*}/thi24_surge"
    start 127.0.0.1:3201 "$DB"
    start 127.0.0.1:3202 "$DB"
    BASES=http://127.0.0.1:3201,http://127.0.0.1:3202
    ;;
  *) echo "usage: $0 sqlite|postgres [officials]" >&2; exit 2 ;;
esac
if [ "${LOAD:-surge}" = live ]; then
  target/release/examples/live_bench --base "$BASES" --players "$OFFICIALS" "${@:3}"
else
  target/release/examples/bench --base "$BASES" --officials "$OFFICIALS" "${@:3}"
fi
