// One load-benchmark run comparing DNS servers on this machine, loopback only:
//   node bench/load/run.ts [--seconds 10] [--targets unbound,bare-node,nodelocaldns] [--scenarios hit,miss]
// Layout (2 cores): the target on CPU 0; knot (upstream) and dnsperf on CPU 1. See bench/README.md.

import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../../test/helpers/fixtures.ts';
import { type Knot, startKnot } from '../../test/helpers/knot.ts';
import { freePort } from '../../test/helpers/ports.ts';
import { percentile, runDnsperf } from './dnsperf.ts';
import { clockTicksPerSecond, treeUsage } from './procstat.ts';
import { loadAverage, machineInfo, type Row, renderMarkdown } from './report.ts';
import {
  killTracked,
  LOAD_CPU,
  type RunningTarget,
  type ScenarioName,
  TARGET_CPU,
  TARGETS,
  type Target,
} from './targets.ts';

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    qps: { type: 'string' },
    clients: { type: 'string', default: '4' },
    outstanding: { type: 'string', default: '100' },
    targets: { type: 'string', default: TARGETS.map((t) => t.name).join(',') },
    scenarios: { type: 'string', default: 'hit,miss' },
    'hit-names': { type: 'string', default: '300' },
    'miss-names': { type: 'string', default: '400000' },
    'latency-qps': { type: 'string', default: '2000' },
    'latency-seconds': { type: 'string', default: '3' },
    'max-minutes': { type: 'string', default: '15' },
    repeat: { type: 'string', default: '1' },
    out: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});

const seconds = Number(opt.seconds);
const maxQps = opt.qps === undefined ? undefined : Number(opt.qps);
const latencyQps = Number(opt['latency-qps']);
const latencySeconds = Number(opt['latency-seconds']);
const repeat = Math.max(1, Number(opt.repeat));
const deadline = Date.now() + Number(opt['max-minutes']) * 60_000;
const scenarios = opt.scenarios.split(',') as ScenarioName[];
const targets = opt.targets.split(',').map((name) => {
  const t = TARGETS.find((x) => x.name === name);
  if (t === undefined)
    throw new Error(`unknown target ${name}; known: ${TARGETS.map((x) => x.name).join(', ')}`);
  return t;
});
const common = {
  cpu: LOAD_CPU,
  clients: Number(opt.clients),
  outstanding: Number(opt.outstanding),
};

/** Every name under bench.test answers from the wildcard; a long TTL keeps hits cached. */
const BENCH_ZONE = `$ORIGIN bench.test.
@ 3600 IN SOA ns hostmaster 1 7200 1800 86400 60
@ 3600 IN NS ns
ns 3600 IN A 192.0.2.53
* 3600 IN A 192.0.2.1
`;

async function writeNames(
  file: string,
  count: number,
  name: (i: number) => string,
): Promise<string> {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`${name(i)} A`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

const log = (s: string): void => void process.stderr.write(`[bench] ${s}\n`);

interface Files {
  load: string;
  latency: string;
}

/** Query files for one repetition: hits reuse one small set; misses get names never asked before. */
async function queryFiles(scenario: ScenarioName, dir: string, rep: number): Promise<Files> {
  if (scenario === 'hit') {
    const file = join(dir, 'hit.txt');
    if (rep === 0) await writeNames(file, Number(opt['hit-names']), (i) => `h${i}.bench.test`);
    return { load: file, latency: file };
  }
  const prefix = randomBytes(4).toString('hex');
  const count = latencyQps * latencySeconds + 1000;
  return {
    load: await writeNames(
      join(dir, `miss-${rep}.txt`),
      Number(opt['miss-names']),
      (i) => `m${i}-${prefix}.bench.test`,
    ),
    latency: await writeNames(
      join(dir, `miss-lat-${rep}.txt`),
      count,
      (i) => `l${i}-${prefix}.bench.test`,
    ),
  };
}

/** One measured dnsperf run (CPU and upstream counted around it) plus one latency run. */
async function measure(
  scenario: ScenarioName,
  port: number,
  pid: number,
  files: Files,
  knot: Knot,
  ticksPerSecond: number,
): Promise<Omit<Row, 'target' | 'scenario'>> {
  const once = scenario === 'miss' ? { maxRuns: 1 } : {};
  const cap = maxQps === undefined ? {} : { maxQps };
  const upstreamBefore = await knot.queryCount();
  const before = treeUsage(pid);
  const wallBefore = process.hrtime.bigint();
  const load = await runDnsperf({
    ...common,
    ...once,
    ...cap,
    port,
    queryFile: files.load,
    seconds,
  });
  const after = treeUsage(pid);
  const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
  const upstream = (await knot.queryCount()) - upstreamBefore;
  if (before === undefined || after === undefined) throw new Error('target exited during the run');
  const cpuSeconds = (after.cpuTicks - before.cpuTicks) / ticksPerSecond;
  const waitSeconds = (after.runqueueWaitNs - before.runqueueWaitNs) / 1e9;
  const lat = await runDnsperf({
    ...common,
    ...once,
    port,
    queryFile: files.latency,
    seconds: latencySeconds,
    maxQps: latencyQps,
    verbose: true,
  });
  return {
    qps: load.qps,
    cpuUsPerQuery: load.completed > 0 ? (cpuSeconds * 1e6) / load.completed : undefined,
    cpuPercent: (cpuSeconds / wallSeconds) * 100,
    waitPercent: (waitSeconds / wallSeconds) * 100,
    avgLatencyMs: load.avgLatencyMs,
    p50Ms: percentile(lat.latenciesMs, 50),
    p90Ms: percentile(lat.latenciesMs, 90),
    p99Ms: percentile(lat.latenciesMs, 99),
    sent: load.sent,
    lost: load.lost,
    latencyLost: lat.lost + lat.timeouts,
    upstreamPerQuery: load.completed > 0 ? upstream / load.completed : undefined,
    rcodes: Object.entries(load.rcodes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  };
}

/** Starts the target once, warms it for hits, measures `repeat` times and keeps the median by qps. */
async function runOne(
  target: Target,
  scenario: ScenarioName,
  knot: Knot,
  work: string,
  ticksPerSecond: number,
): Promise<Row> {
  const row: Row = { target: target.name, scenario };
  const dir = join(work, `${target.name}-${scenario}`);
  await mkdir(dir);
  const port = await freePort();
  let running: RunningTarget;
  try {
    running = await target.start(knot.port, port, dir);
  } catch (err) {
    return { ...row, error: `start failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    const runs: Omit<Row, 'target' | 'scenario'>[] = [];
    for (let rep = 0; rep < repeat && (rep === 0 || Date.now() < deadline); rep++) {
      const files = await queryFiles(scenario, dir, rep);
      if (scenario === 'hit' && rep === 0) {
        // Warm the cache with every name once; the measured runs then only hit.
        await runDnsperf({ ...common, port, queryFile: files.load, seconds: 10, maxRuns: 1 });
      }
      runs.push(await measure(scenario, port, running.pid, files, knot, ticksPerSecond));
    }
    runs.sort((a, b) => (a.qps ?? 0) - (b.qps ?? 0));
    const median = runs[Math.floor((runs.length - 1) / 2)];
    const range =
      runs.length > 1
        ? { qpsRange: [runs[0]?.qps ?? 0, runs[runs.length - 1]?.qps ?? 0] as const }
        : {};
    return { ...row, ...median, ...range, repeats: runs.length };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { ...row, error: `${msg}\n${running.log()}` };
  } finally {
    await running.stop();
  }
}

async function main(): Promise<void> {
  const ticksPerSecond = clockTicksPerSecond();
  const info = machineInfo(); // before the run: its load average is the "at start" one
  const startedAt = new Date().toISOString();
  const work = await mkdtemp(join(tmpdir(), 'bench-load-'));
  const rows: Row[] = [];
  let knot: Knot | undefined;
  const abort = (signal: NodeJS.Signals): void => {
    // Leave nothing running: targets, dnsperf and knot are all this run's own children.
    killTracked();
    if (knot !== undefined) {
      process.kill(knot.pid, 'SIGKILL');
      rmSync(knot.dir, { recursive: true, force: true });
    }
    rmSync(work, { recursive: true, force: true });
    log(`${signal}: stopped`);
    process.exit(130);
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  try {
    knot = await startKnot({
      zones: { 'bench.test': BENCH_ZONE },
      wrap: ['taskset', '-c', String(LOAD_CPU)],
    });
    log(`knot on 127.0.0.1@${knot.port} (pid ${knot.pid}, CPU ${LOAD_CPU})`);
    for (const scenario of scenarios) {
      for (const target of targets) {
        if (target.scenarios !== undefined && !target.scenarios.includes(scenario)) continue;
        if (Date.now() > deadline) {
          rows.push({
            target: target.name,
            scenario,
            error: 'skipped: total time budget (--max-minutes) used up',
          });
          continue;
        }
        log(`${target.name} / ${scenario} ...`);
        const row = await runOne(target, scenario, knot, work, ticksPerSecond);
        log(
          row.error === undefined
            ? `${target.name} / ${scenario}: ${Math.round(row.qps ?? 0)} qps`
            : `${target.name} / ${scenario}: ${row.error.split('\n')[0]}`,
        );
        rows.push(row);
      }
    }
  } finally {
    await knot?.stop();
    await rm(work, { recursive: true, force: true });
  }

  const date = new Date().toISOString().slice(0, 10);
  const settings = [
    `**layout**: target pinned to CPU ${TARGET_CPU}; knot (1 UDP + 1 TCP worker) and dnsperf pinned to CPU ${LOAD_CPU}; loopback only`,
    `**load**: dnsperf -c ${common.clients} -q ${common.outstanding} -l ${seconds}${maxQps === undefined ? ' (closed loop, no rate cap)' : ` -Q ${maxQps}`}; latency percentiles from a separate -v run at -Q ${latencyQps} for ${latencySeconds} s`,
    `**hit**: ${opt['hit-names']} names, cache warmed with one pass first; **miss**: every query a new name (-n 1), forwarded to knot over TCP`,
    `**repeats**: ${repeat} measured run(s) per row; the row shows the median by qps${repeat > 1 ? ' and the qps range' : ''}`,
    `**load average at end**: ${loadAverage()}`,
    '**server CPU µs/query**: (utime+stime of the target process tree over the measured run, from /proc) / completed queries',
  ];
  const md = renderMarkdown(rows, {
    date: startedAt,
    info,
    settings,
  });
  process.stdout.write(md);
  if (!opt['no-write']) {
    const out = opt.out ?? join(REPO_ROOT, 'bench', 'results', `${date}-load.md`);
    await mkdir(join(out, '..'), { recursive: true });
    await writeFile(out, md);
    log(`written to ${out}`);
  }
}

await main();
