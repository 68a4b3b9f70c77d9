// Zone files for the knot upstream stand-in. Names live under cluster.local, .test and
// in-addr.arpa only; addresses are 10/8 or documentation ranges (RFC 5737, RFC 3849). These are
// data served on loopback, never destinations of traffic.

/** SOA header TTL and MINIMUM of CLUSTER_ZONE differ on purpose: CoreDNS reads the header TTL
 * for negative answers, RFC 2308 says min(TTL, MINIMUM), and knot itself serves the minimum. */
export const CLUSTER_SOA_TTL = 30;
export const CLUSTER_SOA_MINIMUM = 5;

/** Known names and values in CLUSTER_ZONE / REVERSE_ZONE / EXTERNAL_ZONE, for assertions. */
export const ZONE_DATA = {
  kubeDns: 'kube-dns.kube-system.svc.cluster.local.',
  kubeDnsV4: '10.96.0.10',
  kubeDnsV6: '2001:db8::a',
  kubeDnsSrv: '_dns._udp.kube-dns.kube-system.svc.cluster.local.',
  kubernetes: 'kubernetes.default.svc.cluster.local.',
  kubernetesV4: '10.96.0.1',
  web: 'web.default.svc.cluster.local.',
  webV4: '10.96.12.34',
  /** CNAME to `web`. */
  alias: 'alias.default.svc.cluster.local.',
  /** CNAME out of the zone, to www.example.test (an ExternalName service). */
  externalAlias: 'shop-db.shop.svc.cluster.local.',
  pod: '10-244-1-5.default.pod.cluster.local.',
  podV4: '10.244.1.5',
  /** 24 A records: 10.96.100.1 to 10.96.100.24. */
  many: 'many.default.svc.cluster.local.',
  manyCount: 24,
  /** TXT answer over 512 bytes: TC over plain UDP. */
  bigTxt: 'big-txt.default.svc.cluster.local.',
  /** Only an AAAA exists here: an A query is NODATA. */
  v6only: 'v6only.default.svc.cluster.local.',
  nxdomain: 'does-not-exist.default.svc.cluster.local.',
  externalWww: 'www.example.test.',
  externalWwwV4: '192.0.2.80',
  /** Anything else under example.test matches the wildcard. */
  externalWildcardV4: '192.0.2.1',
  reverseKubeDns: '10.0.96.10.in-addr.arpa.',
} as const;

/** 240 'a'-'x' characters: 3 of them make the big TXT answer (about 760 bytes). */
const TXT_CHUNK = Array.from({ length: 240 }, (_, i) => String.fromCharCode(97 + (i % 24))).join(
  '',
);

const manyRecords = Array.from(
  { length: ZONE_DATA.manyCount },
  (_, i) => `many.default.svc 30 IN A 10.96.100.${i + 1}`,
).join('\n');

export const CLUSTER_ZONE = `$ORIGIN cluster.local.
$TTL 30
@ ${CLUSTER_SOA_TTL} IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 2026112601 7200 1800 86400 ${CLUSTER_SOA_MINIMUM}
@ 30 IN NS ns.dns.cluster.local.
ns.dns 30 IN A 10.96.0.10
kube-dns.kube-system.svc 30 IN A ${ZONE_DATA.kubeDnsV4}
kube-dns.kube-system.svc 30 IN AAAA ${ZONE_DATA.kubeDnsV6}
_dns._udp.kube-dns.kube-system.svc 30 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.
_dns-tcp._tcp.kube-dns.kube-system.svc 30 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.
kubernetes.default.svc 30 IN A ${ZONE_DATA.kubernetesV4}
_https._tcp.kubernetes.default.svc 30 IN SRV 0 100 443 kubernetes.default.svc.cluster.local.
web.default.svc 30 IN A ${ZONE_DATA.webV4}
web.default.svc 30 IN AAAA 2001:db8::1234
alias.default.svc 30 IN CNAME web.default.svc.cluster.local.
shop-db.shop.svc 30 IN CNAME www.example.test.
api.shop.svc 30 IN A 10.96.40.2
metrics.monitoring.svc 30 IN A 10.96.50.3
v6only.default.svc 30 IN AAAA 2001:db8::66
10-244-1-5.default.pod 30 IN A ${ZONE_DATA.podV4}
10-244-2-7.shop.pod 30 IN A 10.244.2.7
big-txt.default.svc 30 IN TXT "${TXT_CHUNK}" "${TXT_CHUNK}" "${TXT_CHUNK}"
${manyRecords}
`;

export const REVERSE_ZONE = `$ORIGIN 10.in-addr.arpa.
$TTL 30
@ 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 2026112601 7200 1800 86400 5
@ 30 IN NS ns.dns.cluster.local.
10.0.96 IN PTR kube-dns.kube-system.svc.cluster.local.
1.0.96 IN PTR kubernetes.default.svc.cluster.local.
34.12.96 IN PTR web.default.svc.cluster.local.
2.40.96 IN PTR api.shop.svc.cluster.local.
5.1.244 IN PTR 10-244-1-5.default.pod.cluster.local.
7.2.244 IN PTR 10-244-2-7.shop.pod.cluster.local.
`;

export const EXTERNAL_ZONE = `$ORIGIN example.test.
$TTL 300
@ 3600 IN SOA ns1.example.test. hostmaster.example.test. 1 7200 1800 86400 60
@ 3600 IN NS ns1.example.test.
ns1 3600 IN A 192.0.2.53
www 300 IN A ${ZONE_DATA.externalWwwV4}
www 300 IN AAAA 2001:db8::80
@ 300 IN MX 10 mail.example.test.
mail 300 IN A 192.0.2.25
@ 300 IN TXT "v=spf1 -all"
* 60 IN A ${ZONE_DATA.externalWildcardV4}
`;
