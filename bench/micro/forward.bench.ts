// Per-miss cost of the forward path: a ForwardHandler in this process drives queries (no client
// sockets: the handler is called directly, with a writer that drops the reply) to the bare
// responder in a child process, over TCP and over UDP. Reported: this process's CPU per query
// (user+system: the forward JS plus the upstream socket syscalls) and the query rate. Then a few
// hot helpers in isolation.
//
//   ./node_modules/.bin/node bench/micro/forward.bench.ts [--queries 200000] [--inflight 100]
//
// Bounded: a fixed query count per run and a wall-clock cap; loopback only.

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { Request, ResponseWriter } from '../../src/chain/handler.ts';
import { DirectiveReader } from '../../src/corefile/model.ts';
import { parseCorefile } from '../../src/corefile/parse.ts';
import { buildQuery } from '../../src/dns/build.ts';
import { sameQuestion, walkMessage } from '../../src/dns/message.ts';
import { nameToWire } from '../../src/dns/name.ts';
import { scanQuery } from '../../src/dns/query.ts';
import { ForwardHandler } from '../../src/plugins/forward/forward.ts';
import { parseForward } from '../../src/plugins/forward/setup.ts';
import { createLogger } from '../../src/util/log.ts';

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '200000' },
    inflight: { type: 'string', default: '100' },
  },
});
const QUERIES = Number(values.queries);
const INFLIGHT = Number(values.inflight);
const WALL_CAP_MS = 60_000;

async function startResponder(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['bench/load/bare-responder.ts', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    const m = /^ready (\d+)$/.exec(line);
    if (m !== null) return { child, port: Number(m[1]) };
  }
  throw new Error('responder did not start');
}

function handlerFor(line: string): ForwardHandler {
  const directive = parseCorefile(`. {\n${line}\n}\n`, 'bench').blocks[0]?.directives[0];
  if (directive === undefined) throw new Error('no directive');
  const sink = createLogger(() => {});
  return new ForwardHandler(parseForward(new DirectiveReader(directive)), sink, {
    name: 'end',
    serveDNS: () => 2,
  });
}

const nullWriter: ResponseWriter = {
  written: false,
  rcode: -1,
  size: 0,
  reply: undefined,
  write() {},
};

function requestFor(transport: 'udp' | 'tcp'): Request {
  // The responder's canned answer is for this question; the forward checks it.
  const query = scanQuery(buildQuery(0x4242, nameToWire('bare.bench.test.'), 1, { edns: true }));
  return {
    query,
    transport,
    remoteAddress: '127.0.0.1',
    remotePort: 50000,
    family: 1,
    server: 'dns://127.0.0.1:53',
    zone: '.',
    receivedAt: 0,
    sizeLimit: 65535,
  };
}

/** Keeps `inflight` queries outstanding until `total` finished; resolves with CPU µs/query and qps. */
function drive(
  fwd: ForwardHandler,
  req: Request,
  total: number,
  inflight: number,
): Promise<{ cpuUs: number; qps: number; failed: number }> {
  return new Promise((resolve, reject) => {
    let started = 0;
    let done = 0;
    let failed = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const cap = setTimeout(
      () => reject(new Error(`wall cap hit after ${done} queries`)),
      WALL_CAP_MS,
    );
    const onDone = (): void => {
      done++;
      if (started < total) launch();
      else if (done === total) {
        clearTimeout(cap);
        const cpu = process.cpuUsage(cpu0);
        const ms = performance.now() - t0;
        resolve({ cpuUs: (cpu.user + cpu.system) / total, qps: (total / ms) * 1000, failed });
      }
    };
    const onFail = (): void => {
      failed++;
      onDone();
    };
    const launch = (): void => {
      started++;
      (fwd.serveDNS(req, nullWriter) as Promise<number>).then(onDone, onFail);
    };
    for (let i = 0; i < Math.min(inflight, total); i++) launch();
  });
}

function loop(name: string, n: number, fn: () => void): void {
  for (let i = 0; i < n / 10; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  const ns = ((performance.now() - t0) * 1e6) / n;
  console.log(`  ${name.padEnd(44)} ${ns.toFixed(0).padStart(6)} ns/op`);
}

const { child, port } = await startResponder();
try {
  console.log(
    `forward → bare responder (child process), ${QUERIES} queries, ${INFLIGHT} in flight`,
  );
  for (const [label, line, transport] of [
    ['tcp (force_tcp)', `forward . 127.0.0.1:${port} { force_tcp }`, 'udp'],
    ['udp', `forward . 127.0.0.1:${port}`, 'udp'],
  ] as const) {
    const fwd = handlerFor(line);
    const req = requestFor(transport);
    await drive(fwd, req, Math.min(20_000, QUERIES), INFLIGHT); // warm-up: JIT, connections
    const r = await drive(fwd, req, QUERIES, INFLIGHT);
    const up = fwd.upstreams[0];
    console.log(
      `  ${label.padEnd(16)} ${r.cpuUs.toFixed(2).padStart(6)} µs CPU/query  ${Math.round(r.qps).toString().padStart(7)} q/s  failed ${r.failed}  tcp conns ${up?.tcpConnections ?? 0}`,
    );
    fwd.close();
  }

  console.log('hot helpers');
  const req = requestFor('udp');
  const question = buildQuery(0x4242, nameToWire('bare.bench.test.'), 1);
  const answer = Buffer.concat([
    question,
    Buffer.from('c00c000100010000 0e100004c0000201'.replace(/ /g, ''), 'hex'),
  ]);
  answer.writeUInt16BE(0x8180, 2);
  answer.writeUInt16BE(1, 6);
  loop('walkMessage(answer)', 1_000_000, () => walkMessage(answer));
  const layout = walkMessage(answer);
  loop('sameQuestion(answer, query)', 1_000_000, () =>
    sameQuestion(answer, layout.qnameEnd, req.query.wire, req.query.qnameEnd),
  );
  loop('framed copy of the query', 1_000_000, () => {
    const f = Buffer.allocUnsafe(req.query.wire.length + 2);
    f.writeUInt16BE(req.query.wire.length, 0);
    f.set(req.query.wire, 2);
  });
  loop('promise + executor', 1_000_000, () => {
    void new Promise<number>((resolve) => resolve(0));
  });
  const m = new Map<number, object>();
  const o = {};
  loop('map insert + delete', 1_000_000, () => {
    m.set(1234, o);
    m.delete(1234);
  });
} finally {
  child.kill('SIGTERM');
}
