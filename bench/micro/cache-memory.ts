// Bytes per cache entry: fill a cache with N typical answers (one A record for a service name)
// and compare heap + array-buffer memory before and after, with GC forced.
//   node --expose-gc bench/micro/cache-memory.ts [entries]

import type { Request, ResponseWriter } from '../../src/chain/handler.ts';
import { scanQuery } from '../../src/dns/query.ts';
import { CacheHandler } from '../../src/plugins/cache/cache.ts';
import { CacheStore } from '../../src/plugins/cache/store.ts';
import { buildTestQuery } from '../../test/helpers/client.ts';
import { buildResponse, rr } from '../../test/helpers/rr.ts';
import { parseCacheLine } from '../../test/unit/plugins/cache/harness.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const entries = Number(process.argv[2] ?? 10_000);
const config = parseCacheLine(`cache {\n success ${entries} 30\n denial ${entries} 5\n}`);
const store = new CacheStore(config);
const next = {
  name: 'upstream',
  serveDNS(req: Request, w: ResponseWriter) {
    const name = `svc-${req.query.id}.default.svc.cluster.local.`;
    w.write(
      buildResponse({
        query: req.query.wire,
        answer: [rr(`${name} 30 IN A 10.96.0.1`)],
        compress: true,
      }),
      'upstream',
    );
    return 0;
  },
};
const cache = new CacheHandler(next, config, store, ['cluster.local.']);
const sink: ResponseWriter = { written: false, rcode: 0, size: 0, reply: undefined, write() {} };
const used = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const before = used();
for (let i = 0; i < entries; i++) {
  const query = scanQuery(
    buildTestQuery({ name: `svc-${i}.default.svc.cluster.local.`, id: i % 65536, edns: true }),
  );
  await cache.serveDNS(
    {
      query,
      transport: 'udp',
      remoteAddress: '10.0.0.1',
      remotePort: 1,
      family: 1,
      server: 's',
      zone: 'cluster.local.',
      receivedAt: 0,
      sizeLimit: 1232,
    },
    sink,
  );
}
const after = used();
const wireBytes =
  [...store.positive.entries()].reduce((n, e) => n + e.wire.length, 0) / store.positive.size;
console.log(
  `${store.positive.size} entries: ${((after - before) / store.positive.size).toFixed(0)} bytes per entry (stored message ${wireBytes.toFixed(0)} bytes) on node ${process.version}`,
);
