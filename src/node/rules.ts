// node-cache's packet-filter rules as data (cache_app.go initIptables): 12 per local IP. Both
// backends render these; the sync compares what is installed against this list.

import { familyOf, type IpFamily } from './types.ts';

export const COMMENT_SKIP_CONNTRACK = 'NodeLocal DNS Cache: skip conntrack';
export const COMMENT_ALLOW_DNS = 'NodeLocal DNS Cache: allow DNS traffic';
export const OWN_COMMENTS: ReadonlySet<string> = new Set([
  COMMENT_SKIP_CONNTRACK,
  COMMENT_ALLOW_DNS,
]);

export type RuleTable = 'raw' | 'filter';
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
  readonly action: 'NOTRACK' | 'ACCEPT';
  readonly comment: string;
}

/** Canonical text of an IP (IPv6 compressed and lowercased) so `fd00:0::a` equals `fd00::a`. */
export function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

/** The rules for each local IP, in node-cache's order. */
export function buildRules(
  localIps: readonly string[],
  dnsPort: number,
  healthPort: number,
): NodeRule[] {
  const rules: NodeRule[] = [];
  for (const raw of localIps) {
    const ip = canonicalIp(raw);
    const family = familyOf(ip);
    const add = (
      table: RuleTable,
      chain: RuleChain,
      proto: 'tcp' | 'udp',
      direction: 'dst' | 'src',
      port: number,
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
        action,
        comment: table === 'raw' ? COMMENT_SKIP_CONNTRACK : COMMENT_ALLOW_DNS,
      });
    };
    add('raw', 'PREROUTING', 'tcp', 'dst', dnsPort);
    add('raw', 'PREROUTING', 'udp', 'dst', dnsPort);
    add('filter', 'INPUT', 'tcp', 'dst', dnsPort);
    add('filter', 'INPUT', 'udp', 'dst', dnsPort);
    add('raw', 'OUTPUT', 'tcp', 'src', dnsPort);
    add('raw', 'OUTPUT', 'udp', 'src', dnsPort);
    add('filter', 'OUTPUT', 'tcp', 'src', dnsPort);
    add('filter', 'OUTPUT', 'udp', 'src', dnsPort);
    // queries from the host network namespace itself (kubernetes/dns#318)
    add('raw', 'OUTPUT', 'tcp', 'dst', dnsPort);
    add('raw', 'OUTPUT', 'udp', 'dst', dnsPort);
    // the kubelet's liveness probe to the health port and its replies (kubernetes/dns#381)
    add('raw', 'OUTPUT', 'tcp', 'dst', healthPort);
    add('raw', 'OUTPUT', 'tcp', 'src', healthPort);
  }
  return rules;
}

/** Identity of a rule for comparing desired and installed sets. */
export function ruleKey(
  r: Pick<NodeRule, 'table' | 'chain' | 'proto' | 'direction' | 'ip' | 'port' | 'action'>,
): string {
  return [r.table, r.chain, r.proto, r.direction, canonicalIp(r.ip), r.port, r.action].join('|');
}
