#!/usr/bin/env bash
# Fills the deploy-time placeholders of a manifest the way the upstream NodeLocal DNSCache docs'
# sed lines do, and prints the result (the input file is not changed):
#   iptables mode: s/__PILLAR__LOCAL__DNS__/$localdns/g; s/__PILLAR__DNS__DOMAIN__/$domain/g;
#                  s/__PILLAR__DNS__SERVER__/$kubedns/g
#   IPVS mode:     s/__PILLAR__LOCAL__DNS__/$localdns/g; s/__PILLAR__DNS__DOMAIN__/$domain/g;
#                  s/,__PILLAR__DNS__SERVER__//g; s/__PILLAR__CLUSTER__DNS__/$kubedns/g
# In IPVS mode the `bind ... __PILLAR__DNS__SERVER__` occurrence survives and the agent removes
# it at run time, as node-cache does. __PILLAR__CLUSTER__DNS__ (iptables mode) and
# __PILLAR__UPSTREAM__SERVERS__ are filled by the agent at run time.
#
# Usage: deploy/fill-placeholders.sh [--mode iptables|ipvs] [--local-dns IP] [--dns-server IP]
#                                    [--domain DOMAIN] [FILE]
#   --local-dns   the node-local IP (default 169.254.20.10)
#   --dns-server  kube-dns's ClusterIP (default: kubectl get svc kube-dns -n kube-system)
#   --domain      the cluster domain (default cluster.local)
#   --local-dns6  the IPv6 local IP of the dual-stack overlay, __PILLAR__LOCAL__DNS6__ (default fd00::10)
#   FILE          default deploy/nodelocaldns.yaml; '-' reads stdin
# Example: deploy/fill-placeholders.sh --mode ipvs > nodelocaldns.yaml && kubectl apply -f nodelocaldns.yaml
set -euo pipefail

mode=iptables
localdns=169.254.20.10
kubedns=''
domain=cluster.local
localdns6=fd00::10
file="$(dirname "$0")/kustomize/base/nodelocaldns.yaml"
while (($#)); do
  case "$1" in
    --mode) mode="$2"; shift 2 ;;
    --local-dns) localdns="$2"; shift 2 ;;
    --dns-server) kubedns="$2"; shift 2 ;;
    --domain) domain="$2"; shift 2 ;;
    --local-dns6) localdns6="$2"; shift 2 ;;
    -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
    -*) [ "$1" = - ] && { file=-; shift; continue; }; echo "unknown option $1" >&2; exit 2 ;;
    *) file="$1"; shift ;;
  esac
done
if [ -z "$kubedns" ]; then
  kubedns=$(kubectl get svc kube-dns -n kube-system -o 'jsonpath={.spec.clusterIP}')
fi
# Values go into sed replacements and YAML: allow only what IPs and domain names contain.
for v in "$localdns" "$kubedns" "$domain" "$localdns6"; do
  [[ "$v" =~ ^[0-9A-Za-z.:-]+$ ]] || { echo "refusing value '$v'" >&2; exit 2; }
done

case "$mode" in
  iptables)
    sed "s/__PILLAR__LOCAL__DNS__/$localdns/g; s/__PILLAR__DNS__DOMAIN__/$domain/g; s/__PILLAR__DNS__SERVER__/$kubedns/g; s/__PILLAR__LOCAL__DNS6__/$localdns6/g" "$file" ;;
  ipvs)
    sed "s/__PILLAR__LOCAL__DNS__/$localdns/g; s/__PILLAR__DNS__DOMAIN__/$domain/g; s/,__PILLAR__DNS__SERVER__//g; s/__PILLAR__CLUSTER__DNS__/$kubedns/g; s/__PILLAR__LOCAL__DNS6__/$localdns6/g" "$file" ;;
  *) echo "--mode is iptables or ipvs" >&2; exit 2 ;;
esac
