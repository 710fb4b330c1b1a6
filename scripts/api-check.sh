#!/usr/bin/env bash
# Schemathesis (pinned, from PyPI) against the real release server on a fresh SQLite
# database: every operation of the generated OpenAPI document, every check, a bounded
# number of examples; signed out, as a participant and as an administrator. Fails on
# any failure. Run by scripts/test.sh after the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${API_CHECK_EXAMPLES:-10}
venv=target/schemathesis-venv
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  printf '\n== pip install schemathesis==%s\n' "$SCHEMATHESIS_VERSION"
  python3 -m venv --clear "$venv"
  "$venv/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi
bin=${THI24_BIN:-target/release/thi24}
[ -x "$bin" ] || cargo leptos build --release --split --precompress

dir=target/api-check
rm -rf "$dir" && mkdir -p "$dir"
addr=${API_CHECK_ADDR:-127.0.0.1:3400}
base="http://$addr"
LEPTOS_OUTPUT_NAME=thi24 LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_SITE_ADDR="$addr" \
  DATABASE_URL="sqlite:$dir/api.db" ADMIN_PHONE=0900000000 ADMIN_PASSWORD=api-check-admin RUST_LOG=error \
  REGISTER_LIMIT_PER_IP=10000000 LOGIN_LIMIT_PER_IP=10000000 "$bin" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -fs "$base/api/v1/health" >/dev/null 2>&1 && break; sleep 0.2; done

session() { # the session cookie set by a sign-in
  curl -fs -o /dev/null -D - -H 'content-type: application/json' -d "$2" "$base$1" \
    | tr -d '\r' | sed -n 's/^set-cookie: thi24_session=\([0-9a-f]*\);.*/\1/Ip' | head -1
}
unit=$(curl -fs "$base/api/v1/units" | python3 -c 'import json,sys; print([u["id"] for u in json.load(sys.stdin) if u["kind"]=="commune"][0])')
participant=$(session /api/v1/auth/register "{\"full_name\":\"Người kiểm thử API\",\"phone\":\"0917123456\",\"unit_id\":\"$unit\",\"password\":\"mat-khau-kiem-thu\"}")
admin=$(session /api/v1/auth/login '{"phone":"0900000000","password":"api-check-admin"}')
[ -n "$participant" ] && [ -n "$admin" ] || { echo "api-check: could not sign in"; exit 1; }

status=0
runs=${API_CHECK_RUNS:-participant admin anonymous}
run() { # name, session, extra arguments
  case " $runs " in *" $1 "*) ;; *) return 0 ;; esac
  printf '\n== schemathesis: %s\n' "$1"
  THI24_SESSION="$2" "$venv/bin/st" --config-file scripts/api-check/schemathesis.toml run "$base/api/v1/openapi.json" \
    --checks all --max-examples "$EXAMPLES" --seed 24 --workers 1 --no-color \
    --report junit --report-junit-path "$dir/$1.xml" "${@:3}" >"$dir/$1.log" 2>&1 || status=1
  sed -n '/SUMMARY/,$p' "$dir/$1.log"
}
# signing out ends the run's session: it is exercised signed out only
run participant "$participant" --exclude-path /api/v1/auth/logout
run admin "$admin" --exclude-path /api/v1/auth/logout
run anonymous "none"
[ "$status" -eq 0 ] || { echo "api-check: failures (logs in $dir)"; exit 1; }
echo "api-check: 0 failures"
