#!/usr/bin/env bash
# Runs the agent on this machine without touching it: listens on 127.0.0.1 and ::1 port 1053,
# forwards to the resolvers of /etc/resolv.conf, creates no interface and no packet-filter rules.
#   dig @127.0.0.1 -p 1053 example.org   ·   http://127.0.0.1:9253/ (status page, metrics)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null; then
  echo "npm is missing: installing Debian's nodejs and npm (they only bootstrap the project's Node 24)"
  sudo apt-get update -qq && sudo apt-get install -y -qq nodejs npm
fi
[ -x node_modules/.bin/node ] || npm ci --no-audit --no-fund --loglevel=error
exec node_modules/.bin/node src/cli.ts \
  -localip 127.0.0.1 \
  -basecorefile examples/Corefile.local \
  -conf "${TMPDIR:-/tmp}/nodelocaldns.Corefile" \
  -setupinterface=false -setupiptables=false \
  -metrics-listen-address 127.0.0.1:9353 \
  "$@"
