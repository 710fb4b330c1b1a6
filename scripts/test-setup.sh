#!/usr/bin/env bash
# Installs what the tests need on top of the build tools: Debian's Chromium for
# Playwright (never Playwright's own browser download) and end2end's npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

if ! command -v chromium >/dev/null 2>&1; then
  printf '\n== apt-get install chromium\n'
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
fi

if [ ! -d end2end/node_modules/@playwright/test ] || ! cmp -s end2end/package-lock.json end2end/node_modules/.package-lock.json 2>/dev/null; then
  printf '\n== npm ci in end2end/\n'
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# PostgreSQL runs on these machines; start it if it stopped.
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  printf '\n== starting PostgreSQL\n'
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
