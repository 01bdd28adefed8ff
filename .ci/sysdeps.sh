#!/usr/bin/env bash
# The system libraries the stack needs: WeasyPrint's Pango and HarfBuzz, fonts, and gettext for
# the translations; for the tests Debian's Chromium (browser tests, driven by Playwright), Node's
# npm (axe-core), and the Redis and PostgreSQL servers that the fault tests start privately.
# Installed with apt when missing and run as root; otherwise named clearly.
set -euo pipefail

need=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
command -v msgfmt >/dev/null || need+=(gettext)
have_lib libpango-1.0.so || need+=(libpango-1.0-0)
have_lib libpangoft2-1.0.so || need+=(libpangoft2-1.0-0)
have_lib libharfbuzz-subset.so || need+=(libharfbuzz-subset0)
{ command -v fc-list >/dev/null && fc-list | grep -qi dejavu; } || need+=(fontconfig fonts-dejavu-core)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v npm >/dev/null || need+=(npm)
command -v redis-server >/dev/null || need+=(redis-server)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "Tilsyn needs these system packages; install them (e.g. sudo apt-get install ${need[*]}) and run again." >&2
  exit 1
fi
