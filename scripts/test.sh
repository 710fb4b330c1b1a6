#!/usr/bin/env bash
# Every test: domain unit tests, store contract and API tests on SQLite and
# PostgreSQL, then Playwright in Debian's Chromium against the real server, then
# schemathesis against the same release server and its generated OpenAPI document.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-setup.sh

export DATABASE_TEST_URL="${DATABASE_TEST_URL:-postgres://postgres@127.0.0.1:5432/test}"

printf '\n== the question bank: groups, key positions, cues, give-aways, own words (scripts/bank-check.py)\n'
if [ -f ../shared/directive/src-1-directive-summary.txt ] || [ -n "${DIRECTIVE_SOURCES:-}" ]; then
  python3 scripts/bank-check.py
else
  echo "skipped: the source texts (../shared/directive or DIRECTIVE_SOURCES) are not on this machine"
fi

printf '\n== cargo test (unit + integration, SQLite and PostgreSQL)\n'
cargo test --features ssr --no-fail-fast

printf '\n== end-to-end (Playwright, Chromium)\n'
E2E_DIR=target/e2e
rm -rf "$E2E_DIR" && mkdir -p "$E2E_DIR"
export DATABASE_URL="sqlite:$E2E_DIR/e2e.db"
export LEPTOS_SITE_ADDR="${E2E_ADDR:-127.0.0.1:3100}"
export E2E_BASE_URL="http://$LEPTOS_SITE_ADDR"
export ADMIN_PHONE=0900000000
export ADMIN_PASSWORD=e2e-admin-password
export RUST_LOG=warn
# the release build, as served to users (page weights are measured on it)
cargo leptos end-to-end --release --split --precompress
# cargo leptos may exit 0 when the server failed to build or start: trust the report only
node -e '
  const r = require(process.argv[1]);
  const s = r.stats || {};
  console.log(`end-to-end: ${s.expected || 0} passed, ${s.unexpected || 0} failed, ${s.flaky || 0} flaky`);
  if (!s.expected || s.unexpected || (r.errors || []).length) process.exit(1);
' "$PWD/$E2E_DIR/results.json"

printf '\n== the API against its generated OpenAPI document (schemathesis, release server)\n'
scripts/api-check.sh
