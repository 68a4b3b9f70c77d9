// The queries asked of both servers running pluginCorefile, in order: a cache miss is asked
// again to compare the hit; the first name is asked again at the end to compare TTL decay.

import { ZONE_DATA } from '../test/helpers/zones.ts';
import type { Case } from './ask.ts';

const Z = ZONE_DATA;
/** Every reply from a block with `cache` (intended.ts). */
const CACHED = ['cache-aa', 'cache-ra'];

/** whoami answers with the client's source port, which differs between the two sockets. */
const maskWhoamiPort: NonNullable<Case['mask']> = (r) =>
  r.type === 'SRV' ? { ...r, data: r.data.replace(/^(\d+ \d+) \d+/, '$1 PORT') } : r;

export const PLUGIN_CASES: readonly Case[] = [
  // cache + forward: positive, miss then hit
  { title: 'cache miss A', query: { name: Z.kubeDns, type: 'A' }, intended: CACHED },
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
  // cache: negative
  { title: 'NXDOMAIN miss', query: { name: Z.nxdomain, type: 'A' }, intended: CACHED },
  { title: 'NXDOMAIN hit', query: { name: Z.nxdomain, type: 'A' }, intended: CACHED },
  { title: 'NODATA miss', query: { name: Z.v6only, type: 'A' }, intended: CACHED },
  { title: 'NODATA hit', query: { name: Z.v6only, type: 'A' }, intended: CACHED },
  {
    title: 'class CH',
    query: { name: Z.kubeDns, type: 'A', qclass: 3 },
    intended: ['cache-qclass-key'],
  },
  // loadbalance: 24 A records, set equality
  { title: 'loadbalance miss', query: { name: Z.many, type: 'A' }, intended: CACHED },
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
  { title: 'PTR', query: { name: Z.reverseKubeDns, type: 'PTR' }, intended: CACHED },
  {
    title: 'PTR NXDOMAIN',
    query: { name: '99.99.99.10.in-addr.arpa.', type: 'PTR' },
    intended: CACHED,
  },
  // forward + dns64 + bufsize
  { title: 'forward A', query: { name: Z.externalWww, type: 'A' } },
  { title: 'forward AAAA (real)', query: { name: Z.externalWww, type: 'AAAA' } },
  { title: 'dns64 synthesis', query: { name: 'ns1.example.test.', type: 'AAAA' } },
  { title: 'dns64 wildcard', query: { name: 'any.example.test.', type: 'AAAA' } },
  { title: 'MX', query: { name: 'example.test.', type: 'MX' } },
  { title: 'bufsize, no EDNS', query: { name: 'mail.example.test.', type: 'A', edns: false } },
  // hosts (+ template as the fallthrough target)
  { title: 'hosts A', query: { name: 'a.hosts.test.', type: 'A' } },
  { title: 'hosts AAAA', query: { name: 'a.hosts.test.', type: 'AAAA' } },
  { title: 'hosts NODATA', query: { name: 'b.hosts.test.', type: 'AAAA' } },
  { title: 'hosts MX', query: { name: 'a.hosts.test.', type: 'MX' } },
  { title: 'hosts fallthrough', query: { name: 'c.hosts.test.', type: 'A' } },
  // template
  { title: 'template A', query: { name: 'web.tmpl.test.', type: 'A' } },
  { title: 'template AAAA empty', query: { name: 'web.tmpl.test.', type: 'AAAA' } },
  {
    title: 'template no match',
    query: { name: 'a.b.tmpl.test.', type: 'A' },
    intended: ['ra-local-error'],
  },
  {
    title: 'template other type',
    query: { name: 'web.tmpl.test.', type: 'TXT' },
    intended: ['ra-local-error'],
  },
  // rewrite
  { title: 'rewrite exact', query: { name: 'www.rw.test.', type: 'A' } },
  { title: 'rewrite regex answer auto', query: { name: 'web.re.rw.test.', type: 'A' } },
  { title: 'rewrite continue only', query: { name: 'cont.rw.test.', type: 'A' } },
  { title: 'rewrite no match', query: { name: 'other.rw.test.', type: 'A' } },
  // whoami
  { title: 'whoami UDP', query: { name: 'x.whoami.test.', type: 'A' }, mask: maskWhoamiPort },
  {
    title: 'whoami TCP',
    query: { name: 'x.whoami.test.', type: 'A', proto: 'tcp' },
    mask: maskWhoamiPort,
  },
  // no block: refused; bind: nothing on 127.0.0.2
  {
    title: 'no zone',
    query: { name: 'www.other.invalid.', type: 'A' },
    intended: ['ra-local-error'],
  },
  { title: 'bind 127.0.0.1 only', query: { name: Z.kubeDns, type: 'A', host: '127.0.0.2' } },
  // TTL decay of the first cached answer, after all of the above
  { title: 'cache hit A, later', query: { name: Z.kubeDns, type: 'A' }, intended: CACHED },
];
