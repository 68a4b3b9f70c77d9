// The queries asked of both servers running pluginCorefile, in order: a cache miss is asked
// again to compare the hit; the first name is asked again at the end to compare TTL decay.

import { ZONE_DATA } from '../test/helpers/zones.ts';
import type { Case } from './ask.ts';
import { CACHED, maskWhoamiPort, patched, withUdpSize } from './case-helpers.ts';

const Z = ZONE_DATA;

export const PLUGIN_CASES: readonly Case[] = [
  // cache + forward: positive, miss then hit
  {
    title: 'cache miss A',
    expect: /^NOERROR \| kube-dns\S+ A 10\.96\.0\.10$/,
    query: { name: Z.kubeDns, type: 'A' },
    intended: CACHED,
  },
  { title: 'cache hit A', query: { name: Z.kubeDns, type: 'A' }, intended: CACHED },
  { title: 'AAAA', query: { name: Z.kubeDns, type: 'AAAA' }, intended: CACHED },
  { title: 'SRV', query: { name: Z.kubeDnsSrv, type: 'SRV' }, intended: CACHED },
  { title: 'CNAME in zone', query: { name: Z.alias, type: 'A' }, intended: CACHED },
  { title: 'CNAME in zone, hit', query: { name: Z.alias, type: 'A' }, intended: CACHED },
  { title: 'CNAME out of zone', query: { name: Z.externalAlias, type: 'A' }, intended: CACHED },
  { title: 'no EDNS', query: { name: Z.web, type: 'A', edns: false }, intended: CACHED },
  { title: 'DO bit', query: { name: Z.web, type: 'AAAA', dnssecOk: true }, intended: CACHED },
  {
    title: 'RD clear',
    query: { name: Z.kubernetes, type: 'A', recursionDesired: false },
    intended: CACHED,
  },
  {
    title: 'mixed-case name (0x20)',
    query: { name: 'KUBE-dns.Kube-System.svc.Cluster.Local.' },
    intended: CACHED,
  },
  { title: 'ANY', query: { name: Z.kubeDns, type: 'ANY' }, intended: CACHED },
  { title: 'unknown type', query: { name: Z.kubeDns, type: 'TYPE65' }, intended: CACHED },
  { title: 'SOA', query: { name: 'cluster.local.', type: 'SOA' }, intended: CACHED },
  { title: 'NS', query: { name: 'cluster.local.', type: 'NS' }, intended: CACHED },
  {
    title: 'EDNS size 4096',
    query: withUdpSize({ name: Z.many, type: 'A' }, 4096),
    intended: [...CACHED, 'edns-own-size'],
  },
  {
    title: 'EDNS size 512',
    query: withUdpSize({ name: Z.many, type: 'A' }, 512),
    intended: [...CACHED, 'edns-own-size'],
  },
  {
    title: 'CD bit',
    query: patched({ name: Z.kubernetes, edns: true }, (w) => {
      w[3] = (w[3] as number) | 0x10;
    }),
    intended: [...CACHED, 'cd-copied'],
  },
  {
    title: 'EDNS version 1: BADVERS',
    expect: /^BADVERS$/,
    query: patched({ name: Z.web, edns: true }, (w) => {
      w[w.length - 5] = 1;
    }),
    intended: ['ra-local-error', 'edns-own-size'],
  },
  {
    title: 'no question: FORMERR',
    expect: /^FORMERR$/,
    query: patched({ name: Z.web }, (w) => w.writeUInt16BE(0, 4)),
    intended: ['ra-local-error'],
  },
  {
    title: 'NOTIFY opcode',
    query: patched({ name: 'cluster.local.', type: 'SOA' }, (w) => {
      w[2] = 0x20;
    }),
    // SOA was asked above: both answer the NOTIFY from the cached SOA.
    intended: CACHED,
  },
  // cache: negative
  {
    title: 'NXDOMAIN miss',
    expect: /^NXDOMAIN$/,
    query: { name: Z.nxdomain, type: 'A' },
    intended: CACHED,
  },
  { title: 'NXDOMAIN hit', query: { name: Z.nxdomain, type: 'A' }, intended: CACHED },
  {
    title: 'NODATA miss',
    expect: /^NOERROR$/,
    query: { name: Z.v6only, type: 'A' },
    intended: CACHED,
  },
  { title: 'NODATA hit', query: { name: Z.v6only, type: 'A' }, intended: CACHED },
  {
    title: 'class CH',
    expect: /^NOERROR \| kube-dns/,
    query: { name: Z.kubeDns, type: 'A', qclass: 3 },
    intended: ['cache-qclass-key'],
  },
  // cache: RFC 2308 TTL, the TTL cap and SERVFAIL, from the scripted upstream
  {
    title: 'NXDOMAIN, SOA TTL 30 > MINIMUM 5',
    expect: /^NXDOMAIN$/,
    query: { name: 'nx.scripted.test.', type: 'A' },
    intended: [...CACHED, 'negative-ttl'],
  },
  {
    title: 'NXDOMAIN hit, SOA TTL 30 > MINIMUM 5',
    query: { name: 'nx.scripted.test.', type: 'A' },
    intended: [...CACHED, 'negative-ttl'],
  },
  {
    title: 'NODATA, SOA TTL 30 > MINIMUM 5',
    query: { name: 'nodata.scripted.test.', type: 'AAAA' },
    intended: [...CACHED, 'negative-ttl'],
  },
  {
    title: 'TTL 5000 under cache 7200',
    expect: /A 192\.0\.2\.50$/,
    query: { name: 'long.scripted.test.', type: 'A' },
    intended: [...CACHED, 'cache-ttl-cap'],
  },
  {
    title: 'TTL 5000 under cache 7200, hit',
    query: { name: 'long.scripted.test.', type: 'A' },
    intended: [...CACHED, 'cache-ttl-cap'],
  },
  {
    title: 'SERVFAIL',
    expect: /^SERVFAIL$/,
    query: { name: 'broken.scripted.test.', type: 'A' },
    intended: CACHED,
  },
  {
    title: 'SERVFAIL again',
    query: { name: 'broken.scripted.test.', type: 'A' },
    intended: CACHED,
  },
  {
    title: 'upstream REFUSED through the cache',
    query: { name: 'x.unserved.test.', type: 'A' },
    expect: /^REFUSED$/,
    intended: ['upstream-ede'],
  },
  // loadbalance: 24 A records, set equality
  {
    title: 'loadbalance miss',
    expect: /^NOERROR( \| many\S+ A 10\.96\.100\.\d+){24}$/,
    query: { name: Z.many, type: 'A' },
    intended: CACHED,
  },
  { title: 'loadbalance hit', query: { name: Z.many, type: 'A' }, intended: CACHED },
  {
    title: 'loadbalance hit TCP',
    query: { name: Z.many, type: 'A', proto: 'tcp' },
    intended: CACHED,
  },
  // truncation
  { title: 'big TXT over UDP, no EDNS', query: { name: Z.bigTxt, type: 'TXT', edns: false } },
  {
    title: 'big TXT over TCP',
    query: { name: Z.bigTxt, type: 'TXT', proto: 'tcp' },
    intended: CACHED,
  },
  // reverse zone, force_tcp
  {
    title: 'PTR',
    expect: /kube-dns\.kube-system\.svc\.cluster\.local\.$/,
    query: { name: Z.reverseKubeDns, type: 'PTR' },
    intended: CACHED,
  },
  {
    title: 'PTR NXDOMAIN',
    query: { name: '99.99.99.10.in-addr.arpa.', type: 'PTR' },
    intended: CACHED,
  },
  // forward + dns64 + bufsize
  { title: 'forward A', query: { name: Z.externalWww, type: 'A' } },
  {
    title: 'forward AAAA (real)',
    expect: /AAAA 2001:db8::80$/,
    query: { name: Z.externalWww, type: 'AAAA' },
  },
  {
    title: 'dns64 synthesis',
    expect: /^NOERROR \| ns1\.example\.test\. AAAA 64:ff9b::c000:235$/,
    query: { name: 'ns1.example.test.', type: 'AAAA' },
  },
  {
    title: 'dns64 wildcard',
    expect: /AAAA 64:ff9b::c000:201$/,
    query: { name: 'any.example.test.', type: 'AAAA' },
  },
  { title: 'MX', query: { name: 'example.test.', type: 'MX' } },
  { title: 'bufsize, EDNS 4096', query: withUdpSize({ name: Z.externalWww, type: 'A' }, 4096) },
  { title: 'dns64 on NXDOMAIN', query: { name: 'nx.ns1.example.test.', type: 'AAAA' } },
  { title: 'bufsize, no EDNS', query: { name: 'mail.example.test.', type: 'A', edns: false } },
  // hosts (fallthrough to forward: knot has no such zone and refuses)
  {
    title: 'hosts A',
    expect: /^NOERROR \| a\.hosts\.test\. A 192\.0\.2\.10$/,
    query: { name: 'a.hosts.test.', type: 'A' },
  },
  { title: 'hosts AAAA', query: { name: 'a.hosts.test.', type: 'AAAA' } },
  { title: 'hosts NODATA', query: { name: 'b.hosts.test.', type: 'AAAA' } },
  { title: 'hosts MX', query: { name: 'a.hosts.test.', type: 'MX' } },
  {
    title: 'hosts PTR',
    expect: /PTR a\.hosts\.test\.$/,
    query: { name: '10.2.0.192.in-addr.arpa.', type: 'PTR' },
  },
  {
    title: 'hosts PTR TCP',
    query: { name: '11.2.0.192.in-addr.arpa.', type: 'PTR', proto: 'tcp' },
  },
  { title: 'hosts fallthrough', expect: /^REFUSED$/, query: { name: 'c.hosts.test.', type: 'A' } },
  // template
  {
    title: 'template A',
    expect: /^NOERROR \| web\.tmpl\.test\. A 192\.0\.2\.44$/,
    query: { name: 'web.tmpl.test.', type: 'A' },
  },
  {
    title: 'template AAAA empty',
    expect: /^NOERROR$/,
    query: { name: 'web.tmpl.test.', type: 'AAAA' },
  },
  {
    title: 'template no match',
    expect: /^SERVFAIL$/,
    query: { name: 'a.b.tmpl.test.', type: 'A' },
    intended: ['ra-local-error'],
  },
  {
    title: 'template other type',
    expect: /^SERVFAIL$/,
    query: { name: 'web.tmpl.test.', type: 'TXT' },
    intended: ['ra-local-error'],
  },
  // rewrite
  {
    title: 'rewrite exact',
    expect: /^NOERROR \| www\.rw\.test\. A 192\.0\.2\.80$/,
    query: { name: 'www.rw.test.', type: 'A' },
  },
  {
    title: 'rewrite regex answer auto',
    expect: /^NOERROR \| web\.re\.rw\.test\. A 10\.96\.12\.34$/,
    query: { name: 'web.re.rw.test.', type: 'A' },
  },
  { title: 'rewrite exact AAAA', query: { name: 'www.rw.test.', type: 'AAAA' } },
  { title: 'rewrite continue only', query: { name: 'cont.rw.test.', type: 'A' } },
  {
    title: 'rewrite continue suffix, no response rule',
    query: { name: 'www.sfx.rw.test.', type: 'A' },
    intended: ['rewrite-question'],
  },
  {
    title: 'rewrite answer auto: A',
    expect: /^NOERROR \| www\.rwa\.test\. A 192\.0\.2\.80$/,
    query: { name: 'www.rwa.test.', type: 'A' },
  },
  { title: 'rewrite answer auto: SOA in NODATA', query: { name: 'ns1.rwa.test.', type: 'AAAA' } },
  { title: 'rewrite answer auto: MX', query: { name: 'mx.rwa.test.', type: 'MX' } },
  { title: 'rewrite no match', query: { name: 'other.rw.test.', type: 'A' } },
  { title: 'template TCP', query: { name: 'web.tmpl.test.', type: 'A', proto: 'tcp' } },
  // dns64 with rewrite in the block
  {
    title: 'dns64 after rewrite',
    query: { name: 'ns1.d64rw.test.', type: 'AAAA' },
    expect: /^NOERROR/,
    intended: ['dns64-rewrite-question'],
  },
  // whoami
  {
    title: 'whoami UDP',
    expect: /^NOERROR$/,
    query: { name: 'x.whoami.test.', type: 'A' },
    mask: maskWhoamiPort,
  },
  {
    title: 'whoami TCP',
    query: { name: 'x.whoami.test.', type: 'A', proto: 'tcp' },
    mask: maskWhoamiPort,
  },
  // no block: refused; bind: nothing on 127.0.0.2
  {
    title: 'no zone',
    expect: /^REFUSED$/,
    query: { name: 'www.other.invalid.', type: 'A' },
    intended: ['ra-local-error'],
  },
  {
    title: 'bind 127.0.0.1 only',
    expect: /^no reply$/,
    query: { name: Z.kubeDns, type: 'A', host: '127.0.0.2' },
  },
  // TTL decay of the first cached answer, after all of the above
  { title: 'cache hit A, later', query: { name: Z.kubeDns, type: 'A' }, intended: CACHED },
];
