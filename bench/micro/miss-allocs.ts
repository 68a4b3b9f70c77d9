// Bytes the agent allocates per cache miss forwarded over TCP, garbage included: the figure that
// sets how often V8 collects in a miss storm (bench README, "Misses over TCP, profiled"). Starts
// the agent (`src/cli.ts`, the image's V8 flags) with `pprof` against knot on loopback, keeps
// `--window` unique cluster.local names outstanding, and takes `/debug/pprof/allocs` over
// `--seconds`; prints bytes sampled per answered miss and the top functions by self size.
// Unlike CPU per query, this moves little from run to run (±5 % at the endpoint's one sample per
// 256 KiB; ±2 % at 32 KiB, which the endpoint used when bench/results/2026-12-03-miss-gc.md was
// written), so it can judge small changes.
//
//   node bench/micro/miss-allocs.ts [--seconds 4] [--window 400] [--top 15] [--save FILE]
//   [--hits] (cycle over 300 names instead: bytes per cache hit)
//   (--save writes the .heapprofile, for Chrome DevTools or speedscope)
//
// Bounded: at most 2 million queries and a wall-clock cap; loopback only.

import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildTestQuery } from '../../test/helpers/client.ts';
import { startKnot } from '../../test/helpers/knot.ts';
import { freePort } from '../../test/helpers/ports.ts';
import { IMAGE_FLAGS } from '../load/image-flags.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '4' },
    window: { type: 'string', default: '400' },
    top: { type: 'string', default: '15' },
    save: { type: 'string' },
    hits: { type: 'boolean', default: false },
  },
});
const SECONDS = Math.min(Number(values.seconds), 60);
const WINDOW = Math.min(Number(values.window), 2000);
const MAX_QUERIES = 2_000_000;
const WALL_CAP_MS = 120_000;

const ZONE = `$ORIGIN cluster.local.
@ 3600 IN SOA ns hostmaster 1 7200 1800 86400 60
@ 3600 IN NS ns
ns 3600 IN A 192.0.2.53
* 3600 IN A 192.0.2.1
`;

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** Keeps `WINDOW` unique names in flight until `stop()`; counts answers. */
function load(port: number): { answered(): number; stop(): Promise<void> } {
  const socket = createSocket('udp4');
  let next = 0;
  let answered = 0;
  let stopped = false;
  const inFlight = new Map<number, number>();
  const send = (): void => {
    while (!stopped && inFlight.size < WINDOW && next < MAX_QUERIES) {
      const id = next % 65536;
      inFlight.set(id, Date.now());
      const n = values.hits ? next % 300 : next;
      const name = `a${n}-${process.pid}.bench.svc.cluster.local.`;
      socket.send(buildTestQuery({ name, id }), port, '127.0.0.1');
      next++;
    }
  };
  socket.on('message', (m) => {
    if (inFlight.delete(m.readUInt16BE(0))) answered++;
    send();
  });
  // A lost datagram must not shrink the window: give up on queries older than 2 s.
  const sweep = setInterval(() => {
    const cutoff = Date.now() - 2000;
    for (const [id, at] of inFlight) if (at < cutoff) inFlight.delete(id);
    send();
  }, 250);
  send();
  return {
    answered: () => answered,
    stop: () =>
      new Promise((resolve) => {
        stopped = true;
        clearInterval(sweep);
        socket.close(() => resolve());
      }),
  };
}

function selfSizes(node: ProfileNode, into: Map<string, number>): number {
  const f = node.callFrame;
  const where = f.url === '' ? '' : ` ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  const key = `${f.functionName || '(anonymous)'}${where}`;
  into.set(key, (into.get(key) ?? 0) + node.selfSize);
  let total = node.selfSize;
  for (const child of node.children) total += selfSizes(child, into);
  return total;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'nld-allocs-'));
  const knot = await startKnot({ zones: { 'cluster.local': ZONE } });
  let agent: ChildProcess | undefined;
  const cap = setTimeout(() => {
    agent?.kill('SIGKILL');
    throw new Error('wall-clock cap hit');
  }, WALL_CAP_MS);
  try {
    const port = await freePort();
    const pprofPort = await freePort();
    // The cluster.local block of node-cache's ConfigMap (bench/load/corefile.ts) plus pprof.
    const corefile = `cluster.local:${port} {
    errors
    cache {
        success 9984 30
        denial 9984 5
    }
    bind 127.0.0.1
    forward . 127.0.0.1:${knot.port} {
        force_tcp
    }
    prometheus 127.0.0.1:${await freePort()}
    pprof 127.0.0.1:${pprofPort}
}
`;
    await writeFile(join(dir, 'Corefile'), corefile);
    const flags = `${IMAGE_FLAGS.argv}`.split(' ').filter((f) => f !== '');
    agent = spawn(
      process.execPath,
      [...flags, 'src/cli.ts', '-conf', join(dir, 'Corefile'), '-dns.port', String(port)].concat(
        ['-localip', '127.0.0.1', '-setupinterface=false', '-setupiptables=false'],
        ['-metrics-listen-address', `127.0.0.1:${await freePort()}`],
      ),
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, NODE_OPTIONS: IMAGE_FLAGS.nodeOptions },
      },
    );
    const base = `http://127.0.0.1:${pprofPort}/debug/pprof`;
    for (let i = 0; ; i++) {
      const up = await fetch(`${base}/`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (i > 300) throw new Error('agent did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const traffic = load(port);
    // Warm-up: JIT, upstream connections, a filled cache that evicts as it goes.
    while (traffic.answered() < 30_000) await new Promise((r) => setTimeout(r, 100));
    const before = traffic.answered();
    const text = await (await fetch(`${base}/allocs?seconds=${SECONDS}`)).text();
    const profile = JSON.parse(text) as { head: ProfileNode };
    if (values.save !== undefined) await writeFile(values.save, text);
    const misses = traffic.answered() - before;
    await traffic.stop();
    const byFunction = new Map<string, number>();
    const total = selfSizes(profile.head, byFunction);
    console.log(
      `node ${process.version}, flags ${flags.join(' ')}; ${misses} misses in ${SECONDS} s, ${WINDOW} outstanding`,
    );
    const what = values.hits ? 'hit' : 'miss';
    console.log(`bytes allocated per ${what} (sampled): ${(total / misses).toFixed(0)}`);
    const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
    for (const [name, bytes] of top)
      console.log(`  ${(bytes / misses).toFixed(0).padStart(6)} B  ${name}`);
  } finally {
    clearTimeout(cap);
    agent?.kill('SIGKILL');
    await knot.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
