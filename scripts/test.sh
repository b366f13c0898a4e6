#!/usr/bin/env bash
# `npm test`: installs what the tests need on a fresh Debian machine, then runs every check.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-tools.sh chromium dovecot

# The machine's Postgres (trust auth on 127.0.0.1:5432); start it if it is down.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "Starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

export NEXT_TELEMETRY_DISABLED=1
step() { printf '\n== %s\n' "$1"; }

step "lint (eslint + tsc)"
npm run --silent lint

step "unit and integration tests (vitest)"
npx vitest run

step "production build"
npx next build

step "end-to-end tests (Playwright, Debian chromium)"
npx playwright test
