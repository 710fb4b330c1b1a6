#!/usr/bin/env bash
# make bench-web: serves the release build on a fresh SQLite database and prints, per
# participant page, what a phone downloads and Lighthouse's mobile scores, beside a
# minimal static page measured in the same run. A benchmark, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-setup.sh
cargo leptos build --release --split --precompress
(cd scripts/bench-web && { [ -d node_modules/lighthouse ] || npm ci --no-audit --no-fund; })

# the baseline: a minimal valid page, served by the same server from the site root
cat > target/site/bench-minimal.html <<'HTML'
<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="description" content="Trang tối thiểu để so sánh"><title>Trang tối thiểu</title></head><body><main><h1>Trang tối thiểu</h1><p>Một đoạn văn ngắn.</p></main></body></html>
HTML

dir=target/bench-web
rm -rf "$dir" && mkdir -p "$dir"
addr=${BENCH_ADDR:-127.0.0.1:3200}
LEPTOS_OUTPUT_NAME=thi24 LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_SITE_ADDR="$addr" \
  DATABASE_URL="sqlite:$dir/bench.db" ADMIN_PASSWORD=bench-admin-password RUST_LOG=warn \
  REGISTER_LIMIT_PER_IP=100000 target/release/thi24 >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -fs "http://$addr/api/v1/health" >/dev/null 2>&1 && break; sleep 0.2; done
node scripts/bench-web/run.mjs "http://$addr"
