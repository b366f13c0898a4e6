#!/usr/bin/env bash
# `npm run lint`: Prettier's check, eslint and the type check, side by side (each is mostly one core's work, so on
# two cores together they take about as long as the slowest alone). Each one's output is printed whole, in order;
# the exit status is non-zero when any of them failed.
#   bash scripts/lint.sh [--no-types]
# --no-types leaves the type check out, for `npm test`: its `next build` runs the same tsc over the same tsconfig
# (and the route types it generates), and checking twice cost about 20 CPU-seconds.
set -uo pipefail
cd "$(dirname "$0")/.."

checks=(prettier eslint tsc)
[ "${1:-}" = --no-types ] && checks=(prettier eslint)

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
npx prettier --check --log-level warn . >"$out/prettier" 2>&1 &
prettier=$!
npx eslint . >"$out/eslint" 2>&1 &
eslint=$!
if [ ${#checks[@]} -eq 3 ]; then
  npx tsc --noEmit >"$out/tsc" 2>&1 &
  tsc=$!
fi

failed=0
for check in "${checks[@]}"; do
  status=0
  wait "${!check}" || status=$?
  cat "$out/$check"
  if [ "$status" -ne 0 ]; then
    echo "lint: $check failed (exit $status)$([ "$check" = prettier ] && echo '; npm run format fixes it')" >&2
    failed=1
  fi
done
exit "$failed"
