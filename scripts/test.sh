#!/usr/bin/env bash
# `npm test`: installs what the tests need on a fresh Debian machine, then runs every check.
#
# The suite spends about a thousand CPU-seconds, and much of its waiting (vitest on Dovecot, Postgres, child processes
# and timeouts; Playwright on syncs, the stand-in and the browser) leaves a core idle. Run one after the other, the
# phases kept two cores busy barely two thirds of the time, so they overlap (docs/development.md, "How long it takes"):
#   1. lint (Prettier, eslint) and `next build` (whose type check is the project's tsc) start at once, beside the
#      tool install, since neither needs the tools;
#   2. vitest starts when the tools are there and lint passed;
#   3. Playwright starts when the build is done, beside vitest.
# vitest's output is shown as it runs; the build's and Playwright's follow it (Playwright's live from then on).
set -euo pipefail
cd "$(dirname "$0")/.."

export NEXT_TELEMETRY_DISABLED=1
step() { printf '\n== %s\n' "$1"; }
out="$(mktemp -d)"
pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$out"
}
trap stop_all EXIT

bash scripts/lint.sh --no-types >"$out/lint" 2>&1 &
lint=$!
npx next build >"$out/build" 2>&1 &
build=$!
pids=("$lint" "$build")

bash scripts/install-tools.sh chromium dovecot

# The machine's Postgres (trust auth on 127.0.0.1:5432); start it if it is down.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "Starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

step "lint (Prettier, eslint; the type check is the build's)"
lint_status=0
wait "$lint" || lint_status=$?
cat "$out/lint"
[ "$lint_status" -eq 0 ] || exit "$lint_status"

step "unit and integration tests (vitest), with the production build and then Playwright beside them"
npx vitest run &
vitest=$!
pids+=("$vitest")

build_status=0
wait "$build" || build_status=$?
e2e=""
if [ "$build_status" -eq 0 ]; then
  npx playwright test >"$out/e2e" 2>&1 &
  e2e=$!
  pids+=("$e2e")
fi

vitest_status=0
wait "$vitest" || vitest_status=$?

step "production build"
cat "$out/build"
[ "$build_status" -eq 0 ] || exit "$build_status"

step "end-to-end tests (Playwright, Debian chromium; E2E_WORKERS worlds side by side), started when the build was done"
tail -n +1 -f --pid="$e2e" "$out/e2e"
e2e_status=0
wait "$e2e" || e2e_status=$?

[ "$vitest_status" -eq 0 ] || { echo "npm test: vitest failed (exit $vitest_status)" >&2; exit "$vitest_status"; }
[ "$e2e_status" -eq 0 ] || { echo "npm test: Playwright failed (exit $e2e_status)" >&2; exit "$e2e_status"; }
pids=()
