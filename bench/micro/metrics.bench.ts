// The per-query cost of counting: the prometheus observer (coredns_dns_* slots) alone, the
// /debug/top recorder alone, and both as the server calls them; plus a full scrape.
//   node bench/micro/metrics.bench.ts

import type { Request, ResponseWriter } from '../../src/chain/handler.ts';
import { scanQuery } from '../../src/dns/query.ts';
import { ExpositionWriter } from '../../src/metrics/exposition.ts';
import { DnsMetrics } from '../../src/plugins/prometheus/dns-metrics.ts';
import { TopStats } from '../../src/plugins/prometheus/top.ts';
import { buildTestQuery } from '../../test/helpers/client.ts';
import { measure, report } from './measure.ts';

const NAMES = 1000;
const servers = ['dns://169.254.20.10:53', 'dns://10.96.0.10:53'];
const requests: Request[] = Array.from({ length: NAMES }, (_, i) => ({
  query: scanQuery(
    buildTestQuery({
      name: `svc-${i}.default.svc.cluster.local.`,
      type: i % 3 === 0 ? 'AAAA' : 'A',
      id: i,
      edns: i % 2 === 0,
    }),
  ),
  transport: i % 10 === 0 ? 'tcp' : 'udp',
  remoteAddress: `10.244.${i % 4}.${i % 250}`,
  remotePort: 40000 + i,
  family: 1,
  server: servers[i % 2] as string,
  zone: 'cluster.local.',
  receivedAt: 0,
  sizeLimit: 512,
}));
const writers = Array.from({ length: NAMES }, (_, i) => ({
  written: true,
  rcode: i % 7 === 0 ? 3 : 0,
  size: 90 + (i % 40),
  reply: undefined,
  plugin: 'cache',
  write() {},
})) satisfies Array<ResponseWriter & { plugin: string }>;

const dns = new DnsMetrics();
const observer = dns.observer();
const top = new TopStats();
let i = 0;
const next = (): number => {
  i = (i + 1) % NAMES;
  return i;
};

const results = [
  measure('dns slots: observer.finished', () => {
    const k = next();
    observer.finished(requests[k] as Request, writers[k] as ResponseWriter, 0, 0.35);
  }),
  measure('/debug/top: TopStats.record (1-in-32 sampled sketches)', () => {
    const k = next();
    top.record(requests[k] as Request, writers[k] as ResponseWriter, 0, 0.35);
  }),
  measure('both, as the prometheus plugin observes a query', () => {
    const k = next();
    const req = requests[k] as Request;
    const w = writers[k] as ResponseWriter;
    observer.finished(req, w, 0, 0.35);
    top.record(req, w, 0, 0.35);
  }),
  measure(
    'scrape: render all dns slots',
    () => {
      const w = new ExpositionWriter();
      dns.collect(w);
      return w.toString().length;
    },
    200,
    10,
  ),
];
report('metrics hot path', results);
