#!/usr/bin/env bash
# Installs the Debian packages a command needs when they are missing, or stops with one line saying what to run.
# Shared by `npm test`, `npm run harness`, `npm run demo`, `npm run bench` and `npm run test:reliability`.
#   bash scripts/install-tools.sh dovecot [chromium] [mbsync]
set -euo pipefail

need=()
for tool in "$@"; do
  case "$tool" in
    dovecot) [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd) ;;
    chromium) [ -x /usr/bin/chromium ] || need+=(chromium) ;;
    mbsync) command -v mbsync >/dev/null 2>&1 || need+=(isync) ;;
    *) echo "install-tools.sh: unknown tool '$tool' (dovecot, chromium, mbsync)" >&2; exit 2 ;;
  esac
done
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "This needs ${need[*]}: install it with \`sudo apt-get install ${need[*]}\` (Debian, Ubuntu), then run the command again." >&2
  exit 1
fi
# Notes go to stderr: `npm run --silent harness > .harness.env` keeps stdout for the settings.
echo "Installing ${need[*]} with apt-get" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
