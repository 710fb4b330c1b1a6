#!/usr/bin/env bash
# Builds and serves the app on http://127.0.0.1:3000 (LEPTOS_SITE_ADDR to change)
# with the embedded SQLite database under data/, migrated and seeded on first start.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
mkdir -p data
# --split: each island's code in its own module; --precompress: brotli and gzip files made once
exec cargo leptos serve --release --split --precompress
