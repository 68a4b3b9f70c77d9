// One row of one repetition: start a target, warm it (hit, mix), one closed-loop run with CPU,
// upstream queries and memory counted around it, one fixed-rate run for the percentiles, stop.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Knot } from '../../test/helpers/knot.ts';
import { freePort } from '../../test/helpers/ports.ts';
import { percentile, runDnsperf } from './dnsperf.ts';
import { treeMemory, treeUsage } from './procstat.ts';
import type { Sample } from './report.ts';
import { LOAD_CPU, type RunningTarget, type Target } from './targets.ts';
import { type QueryFiles, queryFiles, type ScenarioName, type WorkloadSizes } from './workloads.ts';

export interface MeasureOptions {
  seconds: number;
  maxQps: number | undefined;
  clients: number;
  outstanding: number;
  latencyQps: number;
  latencySeconds: number;
  sizes: WorkloadSizes;
  ticksPerSecond: number;
  /** Called with the running target after the measured runs (profiling hooks). */
  after?: (running: RunningTarget, port: number) => Promise<void>;
}

export interface Upstream {
  readonly cluster: Knot;
  readonly external: Knot;
}

/** MB as the issue states its targets (10^6 bytes), from /proc's KiB. */
const mb = (kib: number | undefined): number | undefined =>
  kib === undefined ? undefined : (kib * 1024) / 1e6;

async function upstreamCount(up: Upstream): Promise<number> {
  const [a, b] = await Promise.all([up.cluster.queryCount(), up.external.queryCount()]);
  return a + b;
}

async function runMeasured(
  files: QueryFiles,
  port: number,
  pid: number,
  up: Upstream,
  o: MeasureOptions,
): Promise<Sample> {
  const common = { cpu: LOAD_CPU, clients: o.clients, outstanding: o.outstanding, port };
  const once = files.once ? { maxRuns: 1 } : {};
  const cap = o.maxQps === undefined ? {} : { maxQps: o.maxQps };
  const upstreamBefore = await upstreamCount(up);
  const before = treeUsage(pid);
  const wallBefore = process.hrtime.bigint();
  const load = await runDnsperf({
    ...common,
    ...once,
    ...cap,
    queryFile: files.load,
    seconds: o.seconds,
  });
  const after = treeUsage(pid);
  const wallSeconds = Number(process.hrtime.bigint() - wallBefore) / 1e9;
  const upstream = (await upstreamCount(up)) - upstreamBefore;
  if (before === undefined || after === undefined) throw new Error('target exited during the run');
  const cpuSeconds = (after.cpuTicks - before.cpuTicks) / o.ticksPerSecond;
  const systemSeconds = (after.systemTicks - before.systemTicks) / o.ticksPerSecond;
  const waitSeconds = (after.runqueueWaitNs - before.runqueueWaitNs) / 1e9;
  const lat = await runDnsperf({
    ...common,
    ...once,
    queryFile: files.latency,
    seconds: o.latencySeconds,
    maxQps: o.latencyQps,
    verbose: true,
  });
  const cpuUsPerQuery = load.completed > 0 ? (cpuSeconds * 1e6) / load.completed : undefined;
  return {
    qps: load.qps,
    cpuUsPerQuery,
    kernelUsPerQuery: load.completed > 0 ? (systemSeconds * 1e6) / load.completed : undefined,
    cpuPercent: (cpuSeconds / wallSeconds) * 100,
    // Queries one fully busy core would answer at this CPU cost.
    qpsPerCore: cpuUsPerQuery === undefined ? undefined : 1e6 / cpuUsPerQuery,
    waitPercent: (waitSeconds / wallSeconds) * 100,
    latencyQps: lat.qps,
    p50Ms: percentile(lat.latenciesMs, 50),
    p99Ms: percentile(lat.latenciesMs, 99),
    p999Ms: percentile(lat.latenciesMs, 99.9),
    sent: load.sent,
    lost: load.lost,
    latencyLost: lat.lost + lat.timeouts,
    upstreamPerQuery: load.completed > 0 ? upstream / load.completed : undefined,
    rcodes: Object.entries(load.rcodes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  };
}

/** Starts `target`, measures one repetition of `scenario`, stops it. Throws on failure. */
export async function measureRow(
  target: Target,
  scenario: ScenarioName,
  up: Upstream,
  work: string,
  rep: number,
  o: MeasureOptions,
): Promise<Sample> {
  const dir = join(work, `${target.name}-${scenario}-${rep}`);
  await mkdir(dir);
  const port = await freePort();
  let running: RunningTarget;
  try {
    running = await target.start(
      { cluster: up.cluster.port, external: up.external.port },
      port,
      dir,
    );
  } catch (err) {
    throw new Error(`start failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const files = await queryFiles(scenario, dir, o.sizes);
    if (files.warm !== undefined) {
      // Every name once (twice for the mix: its negative answers are cached only once the
      // first NXDOMAIN is in); the measured runs then mostly hit.
      for (let pass = 0; pass < (scenario === 'mix' ? 2 : 1); pass++) {
        await runDnsperf({
          cpu: LOAD_CPU,
          clients: o.clients,
          outstanding: o.outstanding,
          port,
          queryFile: files.warm,
          seconds: 10,
          maxRuns: 1,
        });
      }
    }
    const warm = treeMemory(running.pid);
    const sample = await runMeasured(files, port, running.pid, up, o);
    const end = treeMemory(running.pid);
    await o.after?.(running, port);
    // After warm-up for hit and mix; after the measured runs for cold and miss (no warm-up).
    return {
      ...sample,
      rssMB: mb(files.warm !== undefined ? warm?.rssKiB : end?.rssKiB),
      peakRssMB: mb(end?.peakKiB),
    };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`${msg}\n${running.log()}`);
  } finally {
    await running.stop();
  }
}
