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

# vitest mostly waits (on Dovecot, Postgres, child processes and timeouts) while `next build` mostly computes: run
# side by side they take about as long as vitest alone. The build's output is shown after vitest's.
step "unit and integration tests (vitest), with the production build beside them"
build_log="$(mktemp)"
npx next build >"$build_log" 2>&1 &
build_pid=$!
if ! npx vitest run; then
  kill "$build_pid" 2>/dev/null || true
  wait "$build_pid" 2>/dev/null || true
  rm -f "$build_log"
  exit 1
fi
step "production build"
build_status=0
wait "$build_pid" || build_status=$?
cat "$build_log"
rm -f "$build_log"
[ "$build_status" -eq 0 ] || exit "$build_status"

step "end-to-end tests (Playwright, Debian chromium; E2E_WORKERS worlds side by side)"
npx playwright test
