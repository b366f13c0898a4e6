#!/usr/bin/env bash
# `npm test`: installs what the tests need on a fresh Debian machine, then runs every check.
#
# The order keeps both cores busy without making the phases fight (docs/development.md, "How long it takes"):
#   1. lint (Prettier, eslint) and `next build` start at once, beside the tool install, since neither needs the
#      tools; the build's type check is the project's tsc, so lint leaves it out;
#   2. vitest starts when the tools are there and lint passed, with the build still beside it (vitest mostly waits,
#      on Dovecot, Postgres, child processes and timeouts, while the build mostly computes);
#   3. Playwright runs alone after both: the vitest phase already keeps both cores busy, and run beside it Playwright
#      made the whole run slower (623 s against 498-585 s) and costlier (about 90 CPU-s more), since its browsers
#      and servers spend CPU for as long as they run.
# Each phase's wall time and CPU time (its own process tree) are printed after it.
set -euo pipefail
cd "$(dirname "$0")/.."

export NEXT_TELEMETRY_DISABLED=1
TIMEFORMAT='%R s wall, %U s user + %S s sys'
step() { printf '\n== %s\n' "$1"; }
out="$(mktemp -d)"
build=""
stop() {
  [ -z "$build" ] || kill "$build" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$out"
}
trap stop EXIT

# Backgrounded timed groups: `time` reports on stderr, kept apart from the command's own output.
{ time bash scripts/lint.sh --no-types >"$out/lint" 2>&1; } 2>"$out/lint.time" &
lint=$!
{ time npx next build >"$out/build" 2>&1; } 2>"$out/build.time" &
build=$!

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
echo "lint: $(cat "$out/lint.time")"
[ "$lint_status" -eq 0 ] || exit "$lint_status"

step "unit and integration tests (vitest), with the production build beside them"
time npx vitest run

step "production build (type check included)"
build_status=0
wait "$build" || build_status=$?
build=""
cat "$out/build"
echo "build: $(cat "$out/build.time")"
[ "$build_status" -eq 0 ] || exit "$build_status"

step "end-to-end tests (Playwright, Debian chromium; E2E_WORKERS worlds side by side)"
time npx playwright test
