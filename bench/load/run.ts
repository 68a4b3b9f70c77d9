// One load-benchmark run comparing DNS servers on this machine, loopback only:
//   node bench/load/run.ts [--repeat 3] [--targets unbound,bare-node,nodelocaldns,node-cache,dnsmasq]
//                          [--scenarios hit,mix,cold,miss] [--latency-qps 20000] [--no-memory]
// Layout (2 cores): the target on CPU 0; the two knot upstreams and dnsperf on CPU 1. Repetitions
// are interleaved (every target and scenario once, then again), each row restarts its target,
// and every figure is the median over the repetitions. See bench/README.md.

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../../test/helpers/fixtures.ts';
import { type Knot, startKnot } from '../../test/helpers/knot.ts';
import { type MemoryReading, targetsSection } from './goals.ts';
import { measureRow, type Upstream } from './measure.ts';
import { TARGETS } from './peers.ts';
import { clockTicksPerSecond } from './procstat.ts';
import {
  loadAverage,
  machineInfo,
  medianRow,
  type Row,
  renderMarkdown,
  type Sample,
} from './report.ts';
import { ensurePackages } from './setup.ts';
import { killTracked, LOAD_CPU, pinHarness, TARGET_CPU } from './targets.ts';
import { CLUSTER_ZONE, EXTERNAL_ZONE, SCENARIOS, type ScenarioName } from './workloads.ts';

const { values: opt } = parseArgs({
  allowNegative: true,
  options: {
    seconds: { type: 'string', default: '6' },
    qps: { type: 'string' },
    clients: { type: 'string', default: '4' },
    outstanding: { type: 'string', default: '100' },
    targets: { type: 'string', default: TARGETS.map((t) => t.name).join(',') },
    scenarios: { type: 'string', default: SCENARIOS.join(',') },
    'hit-names': { type: 'string', default: '300' },
    'miss-names': { type: 'string', default: '400000' },
    'mix-externals': { type: 'string', default: '200' },
    'cold-externals': { type: 'string', default: '2000' },
    'latency-qps': { type: 'string', default: '20000' },
    'latency-seconds': { type: 'string', default: '4' },
    'max-minutes': { type: 'string', default: '13' },
    repeat: { type: 'string', default: '1' },
    memory: { type: 'boolean', default: true },
    out: { type: 'string' },
    write: { type: 'boolean', default: true },
  },
});

const latencyQps = Number(opt['latency-qps']);
const latencySeconds = Number(opt['latency-seconds']);
const repeat = Math.max(1, Number(opt.repeat));
const startedMs = Date.now();
const deadline = startedMs + Number(opt['max-minutes']) * 60_000;
const scenarios = opt.scenarios.split(',') as ScenarioName[];
for (const s of scenarios) if (!SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}`);
const targets = opt.targets.split(',').map((name) => {
  const t = TARGETS.find((x) => x.name === name);
  if (t === undefined)
    throw new Error(`unknown target ${name}; known: ${TARGETS.map((x) => x.name).join(', ')}`);
  return t;
});

const log = (s: string): void => void process.stderr.write(`[bench] ${s}\n`);

/** bench/memory with the compiled agent: RSS with 10k + 10k entries (its last table row). */
function memoryReading(): MemoryReading {
  const node = join(REPO_ROOT, 'node_modules', '.bin', 'node');
  execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
    timeout: 300_000,
  });
  // Every CPU again: the harness itself is pinned to the load CPU (pinHarness).
  const all = `0-${cpus().length - 1}`;
  const out = execFileSync(
    'taskset',
    ['-c', all, node, 'bench/memory/run.ts', '--entries', '10000'],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  const filled = out.split('\n').find((l) => /^\| 10000 \+ 10000 entries/.test(l));
  const mib = Number(filled?.split('|')[4]?.trim());
  if (!Number.isFinite(mib)) throw new Error(`no filled row in bench/memory output:\n${out}`);
  return {
    filledMB: (mib * 2 ** 20) / 1e6,
    source: `\`node bench/memory/run.ts --entries 10000\` after this run (dist/ built from the same tree, the image's V8 flags), ${mib} MiB: \`${filled?.trim()}\``,
  };
}

async function main(): Promise<void> {
  ensurePackages(log);
  pinHarness();
  const ticksPerSecond = clockTicksPerSecond();
  const info = machineInfo(); // before the run: its load average is the "at start" one
  const startedAt = new Date().toISOString();
  const work = await mkdtemp(join(tmpdir(), 'bench-load-'));
  const samples = new Map<string, Sample[]>();
  const errors = new Map<string, string[]>();
  const knots: Knot[] = [];
  const abort = (signal: NodeJS.Signals): void => {
    // Leave nothing running: targets, dnsperf and the knots are all this run's own children.
    killTracked();
    for (const k of knots) {
      process.kill(k.pid, 'SIGKILL');
      rmSync(k.dir, { recursive: true, force: true });
    }
    rmSync(work, { recursive: true, force: true });
    log(`${signal}: stopped`);
    process.exit(130);
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  const sizes = {
    hitNames: Number(opt['hit-names']),
    missNames: Number(opt['miss-names']),
    mixExternals: Number(opt['mix-externals']),
    coldExternals: Number(opt['cold-externals']),
    latencyQueries: latencyQps * latencySeconds,
  };
  const measureOptions = {
    seconds: Number(opt.seconds),
    maxQps: opt.qps === undefined ? undefined : Number(opt.qps),
    clients: Number(opt.clients),
    outstanding: Number(opt.outstanding),
    latencyQps,
    latencySeconds,
    sizes,
    ticksPerSecond,
  };
  let repsDone = 0;
  try {
    const pinned = ['taskset', '-c', String(LOAD_CPU)];
    const cluster = await startKnot({ zones: { 'cluster.local': CLUSTER_ZONE }, wrap: pinned });
    knots.push(cluster);
    const external = await startKnot({ zones: { 'example.test': EXTERNAL_ZONE }, wrap: pinned });
    knots.push(external);
    const up: Upstream = { cluster, external };
    log(`knot: cluster.local @${cluster.port}, example.test @${external.port} (CPU ${LOAD_CPU})`);
    for (let rep = 0; rep < repeat && Date.now() < deadline; rep++) {
      for (const scenario of scenarios) {
        for (const target of targets) {
          if (target.scenarios !== undefined && !target.scenarios.includes(scenario)) continue;
          if (target.unavailable?.() !== undefined || Date.now() > deadline) continue;
          const key = `${target.name}/${scenario}`;
          log(`rep ${rep + 1}/${repeat}: ${key} ...`);
          try {
            const s = await measureRow(target, scenario, up, work, rep, measureOptions);
            samples.set(key, [...(samples.get(key) ?? []), s]);
            log(
              `${key}: ${Math.round(s.qps ?? 0)} qps, ${s.cpuUsPerQuery?.toFixed(1)} µs/q, p99 ${s.p99Ms?.toFixed(2)} ms`,
            );
          } catch (err) {
            const msg = err instanceof Error ? err.message : String(err);
            errors.set(key, [...(errors.get(key) ?? []), msg]);
            log(`${key}: ${msg.split('\n')[0]}`);
          }
        }
      }
      repsDone = rep + 1;
    }
  } finally {
    await Promise.all(knots.map((k) => k.stop()));
    await rm(work, { recursive: true, force: true });
  }
  const loadMinutes = (Date.now() - startedMs) / 60_000;

  const rows: Row[] = [];
  for (const scenario of scenarios) {
    for (const target of targets) {
      if (target.scenarios !== undefined && !target.scenarios.includes(scenario)) continue;
      const key = `${target.name}/${scenario}`;
      const unavailable = target.unavailable?.();
      const got = samples.get(key) ?? [];
      const failed = errors.get(key) ?? [];
      if (unavailable !== undefined) rows.push({ target: target.name, scenario, unavailable });
      else if (got.length > 0) rows.push(medianRow(target.name, scenario, got));
      else if (failed.length > 0)
        rows.push({ target: target.name, scenario, error: failed[0] ?? '' });
      else rows.push({ target: target.name, scenario, error: 'skipped: --max-minutes used up' });
    }
  }

  let memory: MemoryReading | undefined;
  if (opt.memory && targets.some((t) => t.name === 'nodelocaldns')) {
    log('bench/memory (10k + 10k entries) ...');
    try {
      memory = memoryReading();
    } catch (err) {
      log(`bench/memory failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const date = new Date().toISOString().slice(0, 10);
  const settings = [
    `**layout**: target pinned to CPU ${TARGET_CPU}; two knots (cluster.local; example.test for everything else; 1 UDP + 1 TCP worker each) and dnsperf pinned to CPU ${LOAD_CPU}; loopback only`,
    `**load**: dnsperf -c ${opt.clients} -q ${opt.outstanding} -l ${opt.seconds}${opt.qps === undefined ? ' (closed loop, no rate cap)' : ` -Q ${opt.qps}`}; percentiles from a separate dnsperf -v run at a fixed -Q ${latencyQps} for ${latencySeconds} s (cold, miss: one pass of new names)`,
    `**scenarios**: hit ${opt['hit-names']} cluster names, warmed; mix the pod mix (${opt['mix-externals']} external names through the ndots:5 search list, 100 services), warmed twice; cold one pass of a mix of ${opt['cold-externals']} new external names and new services; miss every query a new cluster.local name, forwarded over TCP`,
    `**repeats**: ${repsDone} of ${repeat} interleaved repetitions done in ${loadMinutes.toFixed(1)} min, each row a fresh target; every figure the median over them (qps range in brackets)`,
    `**load average at end**: ${loadAverage()}`,
    '**server CPU µs/query**: (utime+stime of the target process tree over the measured run, from /proc) / completed queries, in brackets the kernel part of it (stime); **qps per core** = 1e6 / that',
    '**RSS**: VmRSS of the whole tree after the warm-up (hit, mix) or after the runs (cold, miss); peak: VmHWM summed over the tree at the end',
  ];
  const failed = [...errors].map(([key, list]) => `${key}: ${list.length} failed repetition(s)`);
  const md = renderMarkdown(rows, {
    date: startedAt,
    info,
    settings,
    latencyQps,
    sections: [
      ...targetsSection(rows, memory, latencyQps),
      '',
      '## Targets as run',
      '',
      ...targets.map((t) => `- **${t.name}**: ${t.describe}`),
      ...(failed.length > 0 ? ['', `Failed repetitions: ${failed.join('; ')}.`] : []),
    ],
  });
  process.stdout.write(md);
  if (opt.write) {
    const out = opt.out ?? join(REPO_ROOT, 'bench', 'results', `${date}-load.md`);
    await mkdir(join(out, '..'), { recursive: true });
    await writeFile(out, md);
    log(`written to ${out}`);
  }
}

await main();
