// What worker threads cost the cache: the same query mix against `workers: 1` and `workers: 2`,
// each query from a new UDP socket (a new source port, so the kernel's SO_REUSEPORT hash picks
// a thread as it would for pods), with knot as the upstream. Reports the hit ratio the agent
// counted and knot's queries per client query. Loopback only, bounded in count.
//   node bench/load/workers-cache.ts [--names 1000] [--repeats 5] [--workers 1,2]

import { parseArgs } from 'node:util';
import { startApp } from '../../src/app.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { query } from '../../test/helpers/client.ts';
import { startKnot } from '../../test/helpers/knot.ts';

const { values: opt } = parseArgs({
  options: {
    names: { type: 'string', default: '1000' },
    repeats: { type: 'string', default: '5' },
    workers: { type: 'string', default: '1,2' },
  },
});
const names = Math.min(20_000, Number(opt.names));
const repeats = Math.min(20, Number(opt.repeats));
const BENCH_ZONE = `$ORIGIN bench.test.
@ 3600 IN SOA ns hostmaster 1 7200 1800 86400 60
@ 3600 IN NS ns
ns 3600 IN A 192.0.2.53
* 3600 IN A 192.0.2.1
`;

function counter(text: string, name: string): number {
  let n = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      n += Number(line.slice(line.lastIndexOf(' ') + 1));
  return n;
}

const knot = await startKnot({ zones: { 'bench.test': BENCH_ZONE } });
try {
  console.log(
    '| workers | client queries | hit ratio | upstream queries per client query | process RSS after (MiB) |',
  );
  console.log('|--:|--:|--:|--:|--:|');
  for (const workers of opt.workers.split(',').map(Number)) {
    const app = await startApp({
      corefileText: `bench.test:0 {\n bind 127.0.0.1\n cache {\n  success 100000\n }\n forward . 127.0.0.1:${knot.port} {\n  force_tcp\n }\n prometheus 127.0.0.1:0\n}\n`,
      log: memoryLogger(),
      workers,
      workerLog: { format: 'text', level: 'error', timestamps: false },
    });
    await app.serving;
    const port = app.listeners()[0]?.port ?? 0;
    const metricsPort = app.services.http.port('127.0.0.1|0') ?? 0;
    const scrape = async (): Promise<string> =>
      (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const before = await scrape();
    const upstreamBefore = await knot.queryCount();
    // Round r asks every name once, with a per-run prefix so no run sees another's entries.
    const prefix = `w${workers}-${Date.now()}`;
    let sent = 0;
    for (let r = 0; r < repeats; r++)
      for (let i = 0; i < names; i++) {
        await query({
          host: '127.0.0.1',
          port,
          proto: 'udp',
          name: `n${i}.${prefix}.bench.test`,
          type: 'A',
        });
        sent++;
      }
    const after = await scrape();
    const upstream = (await knot.queryCount()) - upstreamBefore;
    const hits =
      counter(after, 'coredns_cache_hits_total') - counter(before, 'coredns_cache_hits_total');
    const requests =
      counter(after, 'coredns_cache_requests_total') -
      counter(before, 'coredns_cache_requests_total');
    console.log(
      `| ${workers} | ${sent} | ${(hits / requests).toFixed(3)} | ${(upstream / sent).toFixed(3)} | ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} |`,
    );
    await app.stop();
  }
} finally {
  await knot.stop();
}
