#!/usr/bin/env bash
# Starts the image built by scripts/build-image.sh and gets answers from it, on loopback only.
#
# `podman run` cannot start containers on machines without CAP_SYS_RESOURCE (setrlimit fails),
# and crun/runc refuse cgroup v1 hybrid hosts, so this runs the image's own bundle: the OCI
# archive is unpacked with umoci, and the bundle's entrypoint (process.args of config.json, i.e.
# the image's ENTRYPOINT) runs chrooted into the bundle's rootfs, inside a throwaway network
# namespace. The agent gets the shipped manifest's Corefile and args (-localip, -conf,
# -upstreamsvc, -pidfile) in standalone mode (no interface, no rules) on 127.0.0.1/127.0.0.2, its
# own resolv.conf, and a knotd upstream on 127.0.0.3 in the same namespace: no query leaves it.
# It also checks that the image's ip, iptables (legacy and nft) and nft run, and that SIGTERM
# stops the agent cleanly.
#
# Usage: scripts/test-image.sh [--archive PATH]    (root; default: the amd64 archive)
# Prints the time from start to the first answered query.
set -euo pipefail
cd "$(dirname "$0")/.."

node=node_modules/.bin/node
version=$("$node" -p 'require("./package.json").version')
archive="build/image/nodelocaldns-$version-amd64.oci.tar"
while (($#)); do
  case "$1" in
    --archive) archive="$2"; shift 2 ;;
    *) echo "usage: $0 [--archive PATH]" >&2; exit 2 ;;
  esac
done
[ -s "$archive" ] || { echo "no image at $archive: run scripts/build-image.sh first" >&2; exit 1; }
for tool in umoci knotd dig curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install umoci knot bind9-dnsutils curl)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/nld-image-test.XXXXXX)
ns="nld-image-$$"
agent_pid=''
knot_pid=''
cleanup() {
  set +e
  for pid in $agent_pid $knot_pid; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  [ -f "$tmp/agent.log" ] && { echo '--- agent log' >&2; tail -40 "$tmp/agent.log" >&2; }
  exit 1
}

echo "unpacking $archive"
mkdir "$tmp/layout"
tar -xf "$archive" -C "$tmp/layout"
ref=$("$node" -p 'require(process.argv[1]).manifests[0].annotations["org.opencontainers.image.ref.name"]' "$tmp/layout/index.json")
umoci unpack --image "$tmp/layout:$ref" "$tmp/bundle" >/dev/null
root="$tmp/bundle/rootfs"
mkdir -p "$root/proc" "$root/dev"
mapfile -t entrypoint < <("$node" -e 'for (const a of require(process.argv[1]).process.args) console.log(a)' "$tmp/bundle/config.json")
image_path=$("$node" -p 'require(process.argv[1]).process.env.find((e) => e.startsWith("PATH=")) ?? "PATH=/usr/bin"' "$tmp/bundle/config.json")

# The shipped ConfigMap's Corefile, with the placeholders filled for this namespace.
deploy/fill-placeholders.sh --local-dns 127.0.0.1 --dns-server 127.0.0.2 --domain cluster.local \
  deploy/nodelocaldns.yaml >"$tmp/manifest.yaml"
"$node" -e '
  const { parseAllDocuments } = require("yaml");
  const docs = parseAllDocuments(require("node:fs").readFileSync(process.argv[1], "utf8")).map((d) => d.toJS());
  process.stdout.write(docs.find((d) => d.kind === "ConfigMap" && d.metadata.name === "node-local-dns").data.Corefile);
' "$tmp/manifest.yaml" >"$root/etc/coredns/Corefile.base"
echo "nameserver 127.0.0.3" >"$root/etc/resolv.conf"

ip netns add "$ns"
ip -n "$ns" link set lo up
in_ns() { ip netns exec "$ns" "$@"; }

echo "image tools inside the namespace"
in_ns chroot "$root" /sbin/ip -br link show lo >/dev/null || fail "ip does not run"
in_ns chroot "$root" /usr/sbin/iptables-nft -t raw -S >/dev/null || fail "iptables-nft does not run"
in_ns chroot "$root" /usr/sbin/iptables-legacy -t raw -S >/dev/null || fail "iptables-legacy does not run"
in_ns chroot "$root" /usr/sbin/ip6tables-nft -t raw -S >/dev/null || fail "ip6tables-nft does not run"
in_ns chroot "$root" /usr/sbin/nft list ruleset >/dev/null || fail "nft does not run"

# Upstream stand-in: cluster.local (the cluster zone, as kube-dns would) and example.test (the
# '.' block, via resolv.conf).
mkdir "$tmp/knot"
cat >"$tmp/knot/cluster.zone" <<'EOF'
$ORIGIN cluster.local.
$TTL 30
@ SOA ns.cluster.local. hostmaster.cluster.local. 1 3600 600 86400 5
@ NS ns.cluster.local.
ns A 10.96.0.10
kube-dns.kube-system.svc A 10.96.0.10
EOF
cat >"$tmp/knot/example.zone" <<'EOF'
$ORIGIN example.test.
$TTL 300
@ SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 60
@ NS ns.example.test.
ns A 192.0.2.53
www A 192.0.2.80
EOF
cat >"$tmp/knot/knot.conf" <<EOF
server:
    rundir: "$tmp/knot"
    listen: 127.0.0.3@53
log:
  - target: stderr
    any: warning
database:
    storage: "$tmp/knot"
zone:
  - domain: cluster.local
    file: "$tmp/knot/cluster.zone"
  - domain: example.test
    file: "$tmp/knot/example.zone"
EOF
# Started without a function or subshell in between, so $! is knotd's own PID.
ip netns exec "$ns" knotd -c "$tmp/knot/knot.conf" 2>"$tmp/knot.log" &
knot_pid=$!
answer() { { in_ns dig +short +tries=1 +timeout=1 "$@" 2>/dev/null || true; } | awk '!/^;/ { print; exit }'; }
for _ in $(seq 100); do
  [ -n "$(answer @127.0.0.3 ns.cluster.local A)" ] && break
  sleep 0.1
done
[ "$(answer @127.0.0.3 ns.cluster.local A)" = 10.96.0.10 ] || fail "knotd did not start: $(cat "$tmp/knot.log")"

# The manifest's args ($(NODE_IP) being 127.0.0.1 here), plus standalone mode.
args=(-localip 127.0.0.1,127.0.0.2 -conf /etc/Corefile -upstreamsvc kube-dns-upstream
  -pidfile /tmp/node-cache.pid -setupinterface=false -setupiptables=false
  -prometheus-listen-address 127.0.0.1:9253 -metrics-listen-address 127.0.0.1:9353)
echo "starting: ${entrypoint[*]} ${args[*]}"
start_ns=$(date +%s%N)
ip netns exec "$ns" unshare --mount --propagation private sh -c '
  root=$1; shift
  mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" || exit 97
  exec env -i "$@"' sh "$root" "$image_path" KUBE_DNS_UPSTREAM_SERVICE_HOST=127.0.0.3 \
  chroot "$root" "${entrypoint[@]}" "${args[@]}" >"$tmp/agent.log" 2>&1 &
agent_pid=$!

first=''
deadline=$((SECONDS + 60))
while ((SECONDS < deadline)); do
  kill -0 "$agent_pid" 2>/dev/null || fail "the agent exited"
  first=$(answer @127.0.0.1 www.example.test A)
  [ -n "$first" ] && break
  sleep 0.02
done
end_ns=$(date +%s%N)
[ "$first" = 192.0.2.80 ] || fail "no answer from the agent within 60 s (got '$first')"
echo "first answer after $(((end_ns - start_ns) / 1000000)) ms"

[ "$(answer @127.0.0.2 kube-dns.kube-system.svc.cluster.local A)" = 10.96.0.10 ] ||
  fail "the cluster zone on the second local IP did not answer through the kube-dns upstream"
[ "$(answer +tcp @127.0.0.1 www.example.test A)" = 192.0.2.80 ] || fail "no answer over TCP"
health=$(in_ns curl -s --max-time 5 http://127.0.0.1:8080/health) || true
[ "$health" = OK ] || fail "/health answered '$health'"
ready=''
for _ in $(seq 50); do
  ready=$(in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://127.0.0.1:8181/ready) || true
  [ "$ready" = 200 ] && break
  sleep 0.1
done
[ "$ready" = 200 ] || fail "/ready answered $ready"
[ -s "$root/tmp/node-cache.pid" ] || fail "no pidfile"
[ "$(in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://127.0.0.1:9253/metrics)" = 200 ] ||
  fail "no /metrics on the prometheus address"
echo "agent RSS after a few queries: $(awk '/VmRSS/ { printf "%d MiB", $2 / 1024 }' "/proc/$agent_pid/status")"

kill -TERM "$agent_pid"
for _ in $(seq 100); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$agent_pid" 2>/dev/null && fail "the agent did not stop within 10 s of SIGTERM"
rc=0
wait "$agent_pid" || rc=$?
agent_pid=''
((rc == 0)) || fail "the agent exited with $rc on SIGTERM"
[ -e "$root/tmp/node-cache.pid" ] && fail "the pidfile was left behind"
echo "image OK: $archive"
