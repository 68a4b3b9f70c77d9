// The cost of one cross-thread cache lookup (src/app/peers.ts, plugins/cache/peer-cache.ts):
// a PeerMesh ask from the main thread to a worker thread and its answer, one at a time (the
// latency a miss on a non-owner thread adds) and 100 in flight (what a miss storm sees).
//   node bench/load/peer-hop.ts [--asks 20000]

import { parseArgs } from 'node:util';
import { isMainThread, MessageChannel, parentPort, Worker, workerData } from 'node:worker_threads';
import { PeerMesh } from '../../src/app/peers.ts';

const ENTRY = { wire: 'x'.repeat(120), ttlOffsets: '\u0020', kind: 0, ttl: 30, ageMs: 1 };

if (!isMainThread) {
  const mesh = new PeerMesh(1, 2);
  mesh.connect(0, workerData.port);
  mesh.channel('cache').answer(() => ({ entry: ENTRY, lease: false }));
  parentPort?.postMessage('ready');
} else {
  const { values } = parseArgs({ options: { asks: { type: 'string', default: '20000' } } });
  const asks = Math.min(200_000, Number(values.asks));
  const channel = new MessageChannel();
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { port: channel.port2 },
    transferList: [channel.port2],
  });
  await new Promise((resolve) => worker.once('message', resolve));
  const mesh = new PeerMesh(0, 2);
  mesh.connect(1, channel.port1);
  const cache = mesh.channel('cache');
  const body = { op: 'get', store: 'cache|cluster.local.:53|{}', key: 'kube-dns.kube-system' };
  for (let i = 0; i < 2000; i++) await cache.ask(1, body); // warm-up
  let start = performance.now();
  for (let i = 0; i < asks; i++) await cache.ask(1, body);
  const serialUs = ((performance.now() - start) * 1000) / asks;
  start = performance.now();
  for (let done = 0; done < asks; done += 100)
    await Promise.all(Array.from({ length: 100 }, () => cache.ask(1, body)));
  const pipelinedUs = ((performance.now() - start) * 1000) / asks;
  console.log(
    `${asks} asks: ${serialUs.toFixed(1)} µs per round trip one at a time, ${pipelinedUs.toFixed(1)} µs per ask with 100 in flight`,
  );
  mesh.close();
  await worker.terminate();
}
