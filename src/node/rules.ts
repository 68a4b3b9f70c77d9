// The packet-filter rules as data: node-cache's (cache_app.go initIptables), made to fail open.
// Both backends render these; the sync compares what is installed against this list.

import { familyOf, type IpFamily } from './types.ts';

export const COMMENT_SKIP_CONNTRACK = 'NodeLocal DNS Cache: skip conntrack';
export const COMMENT_ALLOW_DNS = 'NodeLocal DNS Cache: allow DNS traffic';
export const COMMENT_FALLBACK = 'NodeLocal DNS Cache: fallback to kube-dns';
/** Comments of rules we own; the fallback comment is ours alone (node-cache has none). */
export const OWN_COMMENTS: ReadonlySet<string> = new Set([
  COMMENT_SKIP_CONNTRACK,
  COMMENT_ALLOW_DNS,
  COMMENT_FALLBACK,
]);

export type RuleTable = 'raw' | 'filter' | 'nat';
export type RuleChain = 'PREROUTING' | 'INPUT' | 'OUTPUT';

export interface NodeRule {
  readonly family: IpFamily;
  readonly table: RuleTable;
  readonly chain: RuleChain;
  readonly proto: 'tcp' | 'udp';
  /** 'dst': `-d ip --dport port` (towards the cache); 'src': `-s ip --sport port` (its replies). */
  readonly direction: 'dst' | 'src';
  readonly ip: string;
  readonly port: number;
  /**
   * Only while a socket is bound to exactly this address and port (`-m socket --nowildcard`,
   * nft `socket wildcard 0`): the kernel fails open the moment the agent's sockets close.
   */
  readonly whileListening: boolean;
  readonly action: 'NOTRACK' | 'ACCEPT' | 'DNAT';
  /** DNAT only: the new destination address (the port stays). */
  readonly to?: string | undefined;
  readonly comment: string;
}

/** Canonical text of an IP (IPv6 compressed and lowercased) so `fd00:0::a` equals `fd00::a`. */
export function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/** Where a query to the link-local IP goes while no agent listens: kube-dns-upstream, per family. */
export type FallbackTargets = Partial<Record<IpFamily, string>>;

/**
 * The rules for each local IP. node-cache's 12 per IP, changed so that no rule can black-hole
 * DNS (docs/node-agent.md, "Failing open"):
 * - the NOTRACK of pod queries (raw PREROUTING) applies only while the agent's socket is bound,
 *   so with no agent the ClusterIP is DNATed by kube-proxy as on a node without the cache;
 * - host-network queries cannot be tested for a listener in either backend (iptables refuses the
 *   socket match in OUTPUT; nftables' `socket` reads the sender's own socket in the output hook),
 *   so service IPs (the kube-dns ClusterIP) are left to kube-proxy for them, uncached but never
 *   lost; the link-local IP keeps node-cache's NOTRACK unless it has a fallback;
 * - in the IPVS layout (one IP per family, kube-dns-upstream known) a nat DNAT sends queries to
 *   the link-local IP on to kube-dns-upstream, which IPVS serves as a local address. From pods
 *   (PREROUTING) it only ever sees tracked packets, which are exactly those the conditional
 *   NOTRACK let through because no agent listened; host-network clients (OUTPUT) always take it.
 */
export function buildRules(
  localIps: readonly string[],
  dnsPort: number,
  healthPort: number,
  fallback: FallbackTargets = {},
): NodeRule[] {
  const rules: NodeRule[] = [];
  const ips = localIps.map(canonicalIp);
  const perFamily = (family: IpFamily): number =>
    ips.filter((ip) => familyOf(ip) === family).length;
  const seenFamily = new Set<IpFamily>();
  for (const ip of ips) {
    const family = familyOf(ip);
    const linkLocal = !seenFamily.has(family);
    seenFamily.add(family);
    const add = (
      table: RuleTable,
      chain: RuleChain,
      proto: 'tcp' | 'udp',
      direction: 'dst' | 'src',
      port: number,
      whileListening = false,
    ): void => {
      const action = table === 'raw' ? 'NOTRACK' : 'ACCEPT';
      rules.push({
        family,
        table,
        chain,
        proto,
        direction,
        ip,
        port,
        whileListening,
        action,
        comment: table === 'raw' ? COMMENT_SKIP_CONNTRACK : COMMENT_ALLOW_DNS,
      });
    };
    add('raw', 'PREROUTING', 'tcp', 'dst', dnsPort, true);
    add('raw', 'PREROUTING', 'udp', 'dst', dnsPort, true);
    add('filter', 'INPUT', 'tcp', 'dst', dnsPort);
    add('filter', 'INPUT', 'udp', 'dst', dnsPort);
    add('raw', 'OUTPUT', 'tcp', 'src', dnsPort);
    add('raw', 'OUTPUT', 'udp', 'src', dnsPort);
    add('filter', 'OUTPUT', 'tcp', 'src', dnsPort);
    add('filter', 'OUTPUT', 'udp', 'src', dnsPort);
    const to = linkLocal && perFamily(family) === 1 ? fallback[family] : undefined;
    if (linkLocal && to === undefined) {
      // queries from the host network namespace itself (kubernetes/dns#318)
      add('raw', 'OUTPUT', 'tcp', 'dst', dnsPort);
      add('raw', 'OUTPUT', 'udp', 'dst', dnsPort);
    }
    // the kubelet's liveness probe to the health port and its replies (kubernetes/dns#381)
    add('raw', 'OUTPUT', 'tcp', 'dst', healthPort);
    add('raw', 'OUTPUT', 'tcp', 'src', healthPort);
    if (to === undefined) continue;
    for (const chain of ['PREROUTING', 'OUTPUT'] as const) {
      for (const proto of ['tcp', 'udp'] as const) {
        rules.push({
          family,
          table: 'nat',
          chain,
          proto,
          direction: 'dst',
          ip,
          port: dnsPort,
          whileListening: false,
          action: 'DNAT',
          to: canonicalIp(to),
          comment: COMMENT_FALLBACK,
        });
      }
    }
  }
  return rules;
}

/** Identity of a rule for comparing desired and installed sets. */
export function ruleKey(
  r: Pick<
    NodeRule,
    'table' | 'chain' | 'proto' | 'direction' | 'ip' | 'port' | 'action' | 'whileListening' | 'to'
  >,
): string {
  return [
    r.table,
    r.chain,
    r.proto,
    r.direction,
    canonicalIp(r.ip),
    r.port,
    r.whileListening ? 'listening' : 'always',
    r.action,
    r.to === undefined ? '' : canonicalIp(r.to),
  ].join('|');
}
