// Memory of the whole agent (every process of it), empty and with 10k entries in each of the
// cluster and `.` caches. Runs the compiled agent (`npm run build`) as the image does, with the
// image's V8 flags, against knot on loopback; fills both caches with unique names; reads RSS
// (anonymous and file-backed) of the process tree from /proc and the V8 heap from /metrics.
// Usage: node bench/memory/run.ts [--entries 10000] [--flags="<V8 flags; default the image's>"]
//        [--settle 3] [--smaps] (RSS per mapping, on stderr)
//        [--storm N] (a cold-name storm of N names after the fill; its row's peak is VmHWM,
//        the most the process was ever resident)
//        [--heap-snapshots DIR] (writes a V8 heap snapshot of the agent after each phase, via
//        SIGUSR2 — SIGUSR1 is the agent's reload signal; summarise with heap-summary.ts; writing
//        one grows the process, so the RSS rows after the first snapshot are not comparable)
// Prints a markdown table (bench/README.md, "Memory").

import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildTestQuery } from '../../test/helpers/client.ts';
import { startKnot } from '../../test/helpers/knot.ts';
import { freePort } from '../../test/helpers/ports.ts';
import { IMAGE_FLAGS } from '../load/image-flags.ts';
import { treePids } from '../load/procstat.ts';
import { smapsTable } from './smaps.ts';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '10000' },
    // The image's ENTRYPOINT flags and NODE_OPTIONS, from the Containerfile.
    flags: { type: 'string', default: `${IMAGE_FLAGS.argv} ${IMAGE_FLAGS.nodeOptions}` },
    env: { type: 'string', default: '' },
    'heap-snapshots': { type: 'string' },
    settle: { type: 'string', default: '3' },
    smaps: { type: 'boolean', default: false },
    storm: { type: 'string', default: '0' },
  },
});
const ENTRIES = Math.min(Number(values.entries), 200_000);
/** `--storm N`: after the filled row, N more unique names (half per zone), 1000 outstanding. */
const STORM = Math.min(Number(values.storm), 1_000_000);
const SNAPSHOT_DIR = values['heap-snapshots'];
const NODE_FLAGS = [
  ...(values.flags ?? '').split(' ').filter((f) => f !== ''),
  ...(SNAPSHOT_DIR === undefined
    ? []
    : ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${SNAPSHOT_DIR}`]),
];
const DEADLINE_MS = 120_000;
/** Seconds to wait after each phase before reading (`--settle`). */
const SETTLE_MS = Math.min(Number(values.settle), 600) * 1000;

/** `--env K=V,K2=V2`: environment for the agent (e.g. MALLOC_ARENA_MAX). */
function extraEnv(): Record<string, string> {
  const pairs = (values.env ?? '').split(',').filter((p) => p.includes('='));
  return Object.fromEntries(
    pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
  );
}

const ZONE = (origin: string): string => `$ORIGIN ${origin}.
@ 3600 IN SOA ns hostmaster 1 7200 1800 86400 60
@ 3600 IN NS ns
ns 3600 IN A 192.0.2.53
* 3600 IN A 192.0.2.1
`;

interface Usage {
  rssKiB: number;
  anonKiB: number;
  fileKiB: number;
  peakKiB: number;
  processes: number;
}

/** VmRSS, RssAnon and RssFile summed over `root` and all its descendants. */
function treeMemory(root: number): Usage {
  const tree = treePids(root);
  const usage: Usage = { rssKiB: 0, anonKiB: 0, fileKiB: 0, peakKiB: 0, processes: tree.length };
  for (const pid of tree) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string): number =>
      Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    usage.rssKiB += kib('VmRSS');
    usage.peakKiB += kib('VmHWM');
    usage.anonKiB += kib('RssAnon');
    usage.fileKiB += kib('RssFile') + kib('RssShmem');
  }
  return usage;
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(url)).text();
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(name)) sum += Number(line.split(' ').pop());
  return sum;
}

/**
 * Sends `names` as A queries, `window` outstanding at a time; a query unanswered after 2 s is
 * given up (its slot reused), so a lost packet does not shrink the window. Resolves with the
 * answered count.
 */
function fill(port: number, names: readonly string[], window = 200): Promise<number> {
  const socket = createSocket('udp4');
  let next = 0;
  let answered = 0;
  const sentAt = new Map<number, number>();
  return new Promise((resolve) => {
    const timer = setTimeout(finish, DEADLINE_MS);
    const sweep = setInterval(() => {
      const cutoff = Date.now() - 2000;
      for (const [id, at] of sentAt) if (at < cutoff) sentAt.delete(id);
      send();
    }, 250);
    function finish(): void {
      clearTimeout(timer);
      clearInterval(sweep);
      socket.close();
      resolve(answered);
    }
    function send(): void {
      while (sentAt.size < window && next < names.length) {
        const id = next % 65536;
        sentAt.set(id, Date.now());
        socket.send(buildTestQuery({ name: names[next] ?? '', id }), port, '127.0.0.1');
        next++;
      }
      if (sentAt.size === 0 && next >= names.length) finish();
    }
    socket.on('message', (m) => {
      if (sentAt.delete(m.readUInt16BE(0))) answered++;
      send();
    });
    send();
  });
}

/** Signals the agent to write a heap snapshot and waits (bounded) until the file is complete. */
async function heapSnapshot(pid: number, dir: string, metrics: string): Promise<void> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const added = readdirSync(dir).filter((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    const file = added[0];
    if (file === undefined) continue;
    // V8 writes the snapshot synchronously on the main thread: metrics answer once it is done.
    await metric(metrics, 'process_');
    process.stderr.write(`heap snapshot: ${join(dir, file)}\n`);
    return;
  }
  throw new Error('no heap snapshot written');
}

async function main(): Promise<void> {
  if (!existsSync('dist/cli.js')) throw new Error('run `npm run build` first');
  const dir = await mkdtemp(join(tmpdir(), 'nld-mem-'));
  const knot = await startKnot({
    zones: { 'cluster.local': ZONE('cluster.local'), 'bench.test': ZONE('bench.test') },
  });
  let agent: ChildProcess | undefined;
  try {
    const port = await freePort();
    const metricsPort = await freePort();
    const block = (zone: string, extra: string): string =>
      `${zone}:${port} {\n    bind 127.0.0.1\n    cache 30 {\n        success ${ENTRIES}\n    }\n    forward . 127.0.0.1:${knot.port}${extra}\n}\n`;
    const corefile =
      `${block('cluster.local', ' {\n        force_tcp\n    }')}${block('.', '')}`.replace(
        `bind 127.0.0.1\n`,
        `bind 127.0.0.1\n    prometheus 127.0.0.1:${metricsPort}\n`,
      );
    await writeFile(join(dir, 'Corefile.base'), corefile);
    const args = [
      ...NODE_FLAGS,
      'dist/cli.js',
      '-localip',
      '127.0.0.1',
      '-conf',
      join(dir, 'Corefile'),
      '-basecorefile',
      join(dir, 'Corefile.base'),
      '-dns.port',
      String(port),
      '-setupinterface=false',
      '-setupiptables=false',
      '-metrics-listen-address',
      `127.0.0.1:${await freePort()}`,
    ];
    agent = spawn(process.execPath, args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...extraEnv() },
    });
    const pid = agent.pid ?? 0;
    const metrics = `http://127.0.0.1:${metricsPort}/metrics`;
    for (let i = 0; i < 200; i++) {
      if ((await fill(port, ['ready.bench.test.'], 1)) === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, SETTLE_MS));
    const row = async (what: string): Promise<string> => {
      await settle();
      const m = treeMemory(pid);
      const heap = await metric(metrics, 'nodejs_heap_size_used_bytes');
      const heapTotal = await metric(metrics, 'nodejs_heap_size_total_bytes');
      const external = await metric(metrics, 'nodejs_external_memory_bytes');
      const entries = await metric(metrics, 'coredns_cache_entries');
      if (values.smaps) process.stderr.write(`\n${what}:\n${smapsTable(pid)}\n`);
      // After the readings: writing a snapshot grows the process.
      if (SNAPSHOT_DIR !== undefined) await heapSnapshot(pid, SNAPSHOT_DIR, metrics);
      const mib = (kib: number): string => (kib / 1024).toFixed(1);
      return `| ${what} | ${entries} | ${m.processes} | ${mib(m.rssKiB)} | ${mib(m.peakKiB)} | ${mib(m.anonKiB)} | ${mib(m.fileKiB)} | ${(heap / 2 ** 20).toFixed(1)} | ${(heapTotal / 2 ** 20).toFixed(1)} | ${(external / 2 ** 20).toFixed(1)} |`;
    };
    const rows = [await row('empty cache (after one query)')];
    const names = (suffix: string): string[] =>
      Array.from({ length: ENTRIES }, (_, i) => `n${i}.${suffix}.`);
    const cluster = await fill(port, names('ns.svc.cluster.local'));
    const dot = await fill(port, names('bench.test'));
    rows.push(await row(`${ENTRIES} + ${ENTRIES} entries (${cluster}, ${dot} answered)`));
    if (STORM > 0) {
      const stormNames = (suffix: string): string[] =>
        Array.from({ length: STORM / 2 }, (_, i) => `s${i}.${suffix}.`);
      const started = Date.now();
      const stormCluster = await fill(port, stormNames('ns.svc.cluster.local'), 1000);
      const stormDot = await fill(port, stormNames('bench.test'), 1000);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      // Still serving after the storm: a fresh name answered (the agent did not die at its limit).
      const after = await fill(port, ['after-storm.bench.test.'], 1);
      rows.push(
        await row(
          `after a storm of ${STORM} cold names in ${seconds} s (${stormCluster + stormDot} answered; then ${after}/1)`,
        ),
      );
    }
    process.stdout.write(
      `Node ${process.version}, flags: ${NODE_FLAGS.join(' ') || '(none)'}\n\n| state | cache entries | processes | RSS MiB | peak RSS MiB | anon MiB | file MiB | V8 heap used MiB | V8 heap total MiB | external MiB |\n|---|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
    );
  } finally {
    agent?.kill('SIGKILL');
    await knot.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
