// The soak test's long form: `npm run soak -- --minutes 10 [--rate 150] [--seed 1]`. Prints
// progress, the verdicts, a row per minute and CPU per fault (markdown, for docs/soak.md);
// exits 1 if a bound is broken. Bounded: the load stops after the given minutes, everything it started is stopped.

import { parseArgs } from 'node:util';
import { checkBounds, formatReport } from './bounds.ts';
import { clockTicksPerSecond } from './sampler.ts';
import { mib, runSoak } from './soak.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '150' },
    seed: { type: 'string', default: '1' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
if (!(minutes > 0 && minutes <= 240) || !(rate > 0 && rate <= 2000))
  throw new Error('--minutes must be in (0, 240] and --rate in (0, 2000]');

const loadMs = Math.round(minutes * 60_000);
const report = await runSoak({
  loadMs,
  warmupMs: Math.min(60_000, Math.round(loadMs / 4)),
  faultMs: 5000,
  reloadEveryMs: 10_000,
  sampleEveryMs: loadMs > 20 * 60_000 ? 10_000 : 5000,
  ratePerSec: rate,
  seed: Number(values.seed),
  progress: (line) => console.error(line),
});
const verdicts = checkBounds(report);
console.log(formatReport(report, verdicts));
// One row per minute of load: the figures a reader of docs/soak.md wants.
console.log(
  '\n| minute | fault | RSS | heap used | fds (sockets) | lag p99 / max ms |\n|---|---|---|---|---|---|',
);
let nextMinute = 0;
const first = report.samples.find((s) => s.phase.startsWith('load:'))?.at ?? 0;
for (const s of report.samples) {
  if (!s.phase.startsWith('load:') || s.at - first < nextMinute * 60_000) continue;
  nextMinute++;
  const heap = s.heapUsedBytes === undefined ? '?' : mib(s.heapUsedBytes);
  console.log(
    `| ${Math.round((s.at - first) / 60_000)} | ${s.phase.slice(5)} | ${mib(s.rssBytes)} | ${heap} | ${s.fds} (${s.sockets}) | ${s.lagP99Ms?.toFixed(1)} / ${s.lagMaxMs?.toFixed(1)} |`,
  );
}
// CPU and worst event-loop delay per fault: a spin under one fault would show here.
const perFault = new Map<string, { ticks: number; ms: number; lag: number }>();
const hz = clockTicksPerSecond();
for (let i = 1; i < report.samples.length; i++) {
  const s = report.samples[i];
  const prev = report.samples[i - 1];
  if (s === undefined || prev === undefined || !s.phase.startsWith('load:')) continue;
  const row = perFault.get(s.phase.slice(5)) ?? { ticks: 0, ms: 0, lag: 0 };
  row.ticks += s.cpuTicks - prev.cpuTicks;
  row.ms += s.at - prev.at;
  row.lag = Math.max(row.lag, s.lagMaxMs ?? 0);
  perFault.set(s.phase.slice(5), row);
}
console.log('\n| fault | agent CPU (share of a core) | worst event-loop stall ms |\n|---|---|---|');
for (const [mode, row] of perFault)
  console.log(
    `| ${mode} | ${((row.ticks / hz / (row.ms / 1000)) * 100).toFixed(1)}% | ${row.lag.toFixed(1)} |`,
  );
process.exitCode = verdicts.every((v) => v.ok) ? 0 : 1;
