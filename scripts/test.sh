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

# vitest and the end-to-end suite both mostly wait (on Dovecot, Postgres, browsers, child processes and
# timeouts): measured apart, vitest keeps about 1.5 of the two cores busy and Playwright's two worlds about 1, so
# one after the other leaves a core idle for most of the run. The production build starts beside vitest and the
# end-to-end suite follows the build while vitest goes on; its output is shown after vitest's. Either failing fails
# the run; a vitest failure stops the other side at once.
step "unit and integration tests (vitest); beside them the production build, then the end-to-end tests"
side_log="$(mktemp)"
# Its own process group (setsid), so the whole side (next build, Playwright, its servers) can be stopped at once.
setsid bash -c '
  echo "== production build"
  npx next build || exit 1
  echo
  echo "== end-to-end tests (Playwright, Debian chromium; E2E_WORKERS worlds side by side)"
  npx playwright test
' >"$side_log" 2>&1 &
side_pid=$!
stop_side() {
  kill -TERM -- "-$side_pid" 2>/dev/null || true
  wait "$side_pid" 2>/dev/null || true
}
trap 'stop_side; rm -f "$side_log"' INT TERM
vitest_status=0
npx vitest run || vitest_status=$?
if [ "$vitest_status" -ne 0 ]; then
  stop_side
  echo
  echo "vitest failed; the build and end-to-end tests were stopped. What they printed:"
  cat "$side_log"
  rm -f "$side_log"
  exit "$vitest_status"
fi
echo
echo "vitest passed; waiting for the build and the end-to-end tests."
side_status=0
wait "$side_pid" || side_status=$?
cat "$side_log"
rm -f "$side_log"
exit "$side_status"
