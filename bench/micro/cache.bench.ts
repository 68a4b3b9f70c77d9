// The cache-hit hot path, piece by piece: scan (header, question, key), lookup, re-stamp, and
// the whole handler call with a no-op writer.

import type { Request, ResponseWriter } from '../../src/chain/handler.ts';
import { scanQuery } from '../../src/dns/query.ts';
import { CacheHandler } from '../../src/plugins/cache/cache.ts';
import { restamp } from '../../src/plugins/cache/restamp.ts';
import { CacheStore } from '../../src/plugins/cache/store.ts';
import { buildTestQuery } from '../../test/helpers/client.ts';
import { buildResponse, rr } from '../../test/helpers/rr.ts';
import { parseCacheLine } from '../../test/unit/plugins/cache/harness.ts';
import { measure, report } from './measure.ts';

const NAMES = 1000;
const queries = Array.from({ length: NAMES }, (_, i) =>
  buildTestQuery({ name: `svc-${i}.default.svc.cluster.local.`, id: i, edns: i % 2 === 0 }),
);
const config = parseCacheLine('cache {\n success 9984 30\n denial 9984 5\n}');
const store = new CacheStore(config);
const next = {
  name: 'upstream',
  serveDNS(req: Request, w: ResponseWriter) {
    w.write(
      buildResponse({
        query: req.query.wire,
        answer: [rr(`x.default.svc.cluster.local. 30 IN A 10.96.0.1`)],
        ownerCase: 'query',
        compress: true,
      }),
      'upstream',
    );
    return 0;
  },
};
const cache = new CacheHandler(next, config, store, ['cluster.local.']);
const writer: ResponseWriter & { last: Buffer | undefined } = {
  written: false,
  rcode: 0,
  size: 0,
  reply: undefined,
  last: undefined,
  write(wire) {
    this.last = wire;
  },
};
const asRequest = (wire: Buffer): Request => {
  const query = scanQuery(wire);
  return {
    query,
    transport: 'udp',
    remoteAddress: '10.244.1.5',
    remotePort: 40000,
    family: 1,
    server: 'dns://169.254.20.10:53',
    zone: 'cluster.local.',
    receivedAt: 0,
    sizeLimit: query.udpLimit,
  };
};
for (const q of queries) await cache.serveDNS(asRequest(q), writer); // fill

let i = 0;
const nextQuery = () => queries[i++ % NAMES] as Buffer;
const scanned = queries.map((q) => scanQuery(q));
const entries = scanned.map((s) => store.fresh(s.key, performance.now()));

report('cache hit path', [
  measure('scanQuery (header, question, OPT, key)', () => scanQuery(nextQuery())),
  measure('store.fresh (lookup by key)', () =>
    store.fresh((scanned[i++ % NAMES] as ReturnType<typeof scanQuery>).key, 0),
  ),
  measure('restamp (copy, ID, question, flags, TTLs, OPT)', () => {
    const k = i++ % NAMES;
    const e = entries[k];
    return e === undefined ? undefined : restamp(e, scanned[k] as ReturnType<typeof scanQuery>, 17);
  }),
  measure('whole hit: scan + CacheHandler.serveDNS', () =>
    cache.serveDNS(asRequest(nextQuery()), writer),
  ),
]);
