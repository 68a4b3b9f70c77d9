// Where the agent's tail comes from on the pod mix at a fixed rate. One agent, the load run's
// knots, Corefile and layout; one warm-up and one fixed-rate dnsperf -v run, around which it
// reads: per-query latency by kind of name (cluster negative, cluster positive, external), the
// upstream queries (cache refreshes), V8's GC pauses (--trace-gc), event-loop delay and the
// forwarder's upstream round trips (/metrics), and the TCP sockets to the cluster knot (ss).
//   node bench/load/profile-tail.ts [--seconds 10] [--qps 20000] [--scenario mix|hit]
//        [--node-flags "--max-semi-space-size=2"] [--agent-args "..."]
// Prints markdown (bench/README.md, "Where the tail comes from").

import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { killAndWait, startKnot } from '../../test/helpers/knot.ts';
import { freePort } from '../../test/helpers/ports.ts';
import { percentile, runDnsperf } from './dnsperf.ts';
import { IMAGE_FLAGS } from './image-flags.ts';
import {
  IMAGE_NODE_FLAGS,
  LOAD_CPU,
  pinHarness,
  TARGET_CPU,
  track,
  waitAnswering,
  writeNodeLocalCorefile,
} from './targets.ts';
import { CLUSTER_ZONE, EXTERNAL_ZONE, queryFiles } from './workloads.ts';

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    qps: { type: 'string', default: '20000' },
    scenario: { type: 'string', default: 'mix' },
    'node-flags': { type: 'string', default: IMAGE_NODE_FLAGS },
    'agent-args': { type: 'string', default: '' },
  },
});
const execFileAsync = promisify(execFile);
const words = (s: string | undefined): string[] => (s ?? '').split(' ').filter((w) => w !== '');
const seconds = Math.min(Number(opt.seconds), 60);
const qps = Number(opt.qps);

type Kind = 'cluster NXDOMAIN/NODATA' | 'cluster answer' | 'external';
/** `question` is "name TYPE"; in the mix only cluster A questions that exist get an answer. */
function kind(rcode: string, question: string): Kind {
  const [name = '', type = ''] = question.split(' ');
  if (!name.endsWith('cluster.local')) return 'external';
  return rcode === 'NOERROR' && type === 'A' ? 'cluster answer' : 'cluster NXDOMAIN/NODATA';
}

/** Prometheus text → sum of the samples of `name` whose labels include `match`. */
function metric(text: string, name: string, match = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || !line.includes(match)) continue;
    if (line[name.length] !== '{' && line[name.length] !== ' ') continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/** GC pauses in the --trace-gc lines written between two offsets of the agent's log. */
function gcPauses(file: string, from: number, to: number): { kind: string; ms: number }[] {
  const text = readFileSync(file, 'utf8').slice(from, to);
  const out: { kind: string; ms: number }[] = [];
  for (const m of text.matchAll(
    /ms: (Scavenge|Mark-Compact|Mark-Sweep|Minor Mark-Sweep)\b[^\n]*?MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/g,
  )) {
    out.push({ kind: m[1] ?? '?', ms: Number(m[2]) });
  }
  return out;
}

interface SocketSample {
  conns: number;
  /** Bytes knot has read from the agent but not yet processed, summed (queries waiting). */
  knotRecvQ: number;
  /** Bytes knot has written but the agent not yet acknowledged (answers held or in flight). */
  knotSendQ: number;
}

/** The cluster knot's established TCP sockets (its side), from ss. */
async function sockets(port: number): Promise<SocketSample> {
  const { stdout } = await execFileAsync('ss', [
    '-Htn',
    'state',
    'established',
    `( sport = :${port} )`,
  ]);
  const s: SocketSample = { conns: 0, knotRecvQ: 0, knotSendQ: 0 };
  for (const line of stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    s.conns++;
    s.knotRecvQ += Number(f[0]);
    s.knotSendQ += Number(f[1]);
  }
  return s;
}

async function main(): Promise<void> {
  pinHarness();
  const dir = await mkdtemp(join(tmpdir(), 'bench-tail-'));
  const pinned = ['taskset', '-c', String(LOAD_CPU)];
  const cluster = await startKnot({ zones: { 'cluster.local': CLUSTER_ZONE }, wrap: pinned });
  const external = await startKnot({ zones: { 'example.test': EXTERNAL_ZONE }, wrap: pinned });
  const logFile = join(dir, 'agent.log');
  const logFd = openSync(logFile, 'w');
  let stopAgent = async (): Promise<void> => {};
  try {
    const port = await freePort();
    const metricsPort = await freePort();
    const up = { cluster: cluster.port, external: external.port };
    const { base, conf } = await writeNodeLocalCorefile(dir, port, up, metricsPort);
    const argv = [
      'node_modules/.bin/node',
      ...words(opt['node-flags']),
      '--trace-gc',
      'src/cli.ts',
      ...['-localip', '127.0.0.1', '-conf', conf, '-basecorefile', base, '-dns.port', String(port)],
      ...['-setupinterface=false', '-setupiptables=false'],
      ...['-metrics-listen-address', `127.0.0.1:${await freePort()}`],
      ...words(opt['agent-args']),
    ];
    // The whole log to a file: --trace-gc writes a line per collection.
    const child = spawn('taskset', ['-c', String(TARGET_CPU), ...argv], {
      stdio: ['ignore', logFd, logFd],
      // The image's heap limit, as the load benchmark's nodelocaldns target.
      env: { ...process.env, NODE_OPTIONS: IMAGE_FLAGS.nodeOptions },
    });
    track(child);
    const exited = new Promise<void>((r) => child.once('close', () => r()));
    stopAgent = () => killAndWait(child, exited);
    await waitAnswering(port, exited, () => readFileSync(logFile, 'utf8').slice(-2000));
    const files = await queryFiles(opt.scenario as 'mix', dir, {
      hitNames: 300,
      missNames: 0,
      mixExternals: 200,
      coldExternals: 0,
      latencyQueries: 0,
    });
    const common = { cpu: LOAD_CPU, clients: 4, outstanding: 100, port };
    for (let pass = 0; pass < 2; pass++)
      await runDnsperf({ ...common, queryFile: files.latency, seconds: 10, maxRuns: 1 });
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const before = await (await fetch(metricsUrl)).text();
    const upBefore = [await cluster.queryCount(), await external.queryCount()];
    const logFrom = statSync(logFile).size;
    // Sample knot's sockets every 50 ms while the fixed-rate run goes.
    const samples: SocketSample[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push(await sockets(cluster.port));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const lat = await runDnsperf({
      ...common,
      queryFile: files.latency,
      seconds,
      maxQps: qps,
      verbose: true,
      keepReplies: true,
    });
    sampling = false;
    await sampler;
    const logTo = statSync(logFile).size;
    const after = await (await fetch(metricsUrl)).text();
    const upstream = [
      (await cluster.queryCount()) - (upBefore[0] ?? 0),
      (await external.queryCount()) - (upBefore[1] ?? 0),
    ];

    const out: string[] = [];
    const f = (n: number | undefined, d = 2): string => (n === undefined ? '–' : n.toFixed(d));
    out.push(
      `Fixed-rate ${opt.scenario} run: ${lat.latenciesMs.length} replies at ${Math.round(lat.qps)} qps over ${seconds} s, node flags \`${opt['node-flags']}\`${opt['agent-args'] ? `, agent args \`${opt['agent-args']}\`` : ''}.`,
      '',
    );
    const all = lat.latenciesMs;
    const p99 = percentile(all, 99) ?? 0;
    const p999 = percentile(all, 99.9) ?? 0;
    out.push(`All: p50 ${f(percentile(all, 50))} / p99 ${f(p99)} / p99.9 ${f(p999)} ms.`, '');
    out.push(
      '| kind of name | queries | p50 ms | p99 ms | p99.9 ms | of the queries over the p99 | over the p99.9 |',
      '|---|--:|--:|--:|--:|--:|--:|',
    );
    const byKind = new Map<Kind, number[]>();
    for (const r of lat.replies) {
      const k = kind(r.rcode, r.question);
      const list = byKind.get(k) ?? [];
      list.push(r.ms);
      byKind.set(k, list);
    }
    const overP99 = lat.replies.filter((r) => r.ms > p99).length;
    const overP999 = lat.replies.filter((r) => r.ms > p999).length;
    for (const [k, list] of byKind) {
      list.sort((a, b) => a - b);
      const o99 = list.filter((ms) => ms > p99).length;
      const o999 = list.filter((ms) => ms > p999).length;
      out.push(
        `| ${k} | ${list.length} | ${f(percentile(list, 50))} | ${f(percentile(list, 99))} | ${f(percentile(list, 99.9))} | ${o99} of ${overP99} | ${o999} of ${overP999} |`,
      );
    }
    const total = all.length;
    out.push(
      '',
      `Upstream queries during the run: cluster ${upstream[0]}, external ${upstream[1]} (${f((((upstream[0] ?? 0) + (upstream[1] ?? 0)) / total) * 100)} % of the client queries: cache refreshes of expired entries).`,
    );
    const d = (name: string, match = ''): number =>
      metric(after, name, match) - metric(before, name, match);
    const to = `127.0.0.1:${cluster.port}`;
    const rtCount = d('coredns_proxy_request_duration_seconds_count', to);
    const rtSum = d('coredns_proxy_request_duration_seconds_sum', to);
    const buckets = [0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064];
    const cum = buckets.map(
      (b) => `≤${b * 1000} ms ${d('coredns_proxy_request_duration_seconds_bucket', `le="${b}"`)}`,
    );
    out.push(
      `Forwarder round trips to the cluster knot (TCP): ${rtCount}, mean ${f((rtSum / Math.max(1, rtCount)) * 1000)} ms; cumulative buckets (all upstreams): ${cum.join(', ')}; new connections (conn cache misses) ${d('coredns_proxy_conn_cache_misses_total', to)}, reused ${d('coredns_proxy_conn_cache_hits_total', to)}.`,
    );
    const conns = samples.map((s) => s.conns).sort((a, b) => a - b);
    const recvBusy = samples.filter((s) => s.knotRecvQ > 0).length;
    const sendBusy = samples.filter((s) => s.knotSendQ > 0).length;
    out.push(
      `TCP to the cluster knot, ${samples.length} ss samples: connections median ${percentile(conns, 50)} max ${conns[conns.length - 1]}; samples with queries waiting in knot's receive queue ${recvBusy}, with answers unsent or unacknowledged in knot's send queue ${sendBusy} (max ${Math.max(0, ...samples.map((s) => s.knotSendQ))} bytes).`,
    );
    const gc = gcPauses(logFile, logFrom, logTo);
    const gcKinds = new Map<string, number[]>();
    for (const g of gc) gcKinds.set(g.kind, [...(gcKinds.get(g.kind) ?? []), g.ms]);
    const gcText = [...gcKinds].map(
      ([k, list]) =>
        `${k} ${list.length}× (max ${f(Math.max(...list))} ms, ${list.filter((ms) => ms >= 1).length} ≥ 1 ms, total ${f(list.reduce((a, b) => a + b, 0))} ms)`,
    );
    out.push(`GC during the run (--trace-gc): ${gcText.join('; ') || 'none'}.`);
    const lag = (s: string): string => f(metric(after, `nodejs_eventloop_lag_${s}_seconds`) * 1000);
    out.push(
      `Event-loop delay since start (perf_hooks, 10 ms resolution subtracted): p50 ${lag('p50')} / p90 ${lag('p90')} / p99 ${lag('p99')} / max ${lag('max')} ms.`,
    );
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await stopAgent();
    closeSync(logFd);
    await Promise.all([cluster.stop(), external.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
