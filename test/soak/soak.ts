// The soak run: the agent process under mixed load for a while, the faulty upstream cycling
// through its faults, a Corefile rewrite + reload every few seconds, and samples of RSS,
// descriptors, CPU and event-loop delay. Afterwards the load stops, the upstream heals, and the
// agent must give back what it took (descriptors to baseline, CPU idle) and stop cleanly.
// `checkBounds` turns the report into pass/fail verdicts; docs/soak.md states the bounds.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '../helpers/client.ts';
import { CLUSTER_ZONE, EXTERNAL_ZONE, startKnot } from '../helpers/knot.ts';
import { holdsWithin, until } from '../helpers/wait.ts';
import { type AgentPorts, type AgentProcess, startAgentProcess } from './agent-process.ts';
import {
  FAULT_MODES,
  type FaultUpstream,
  seededRandom,
  startFaultUpstream,
} from './fault-upstream.ts';
import { type KindStats, MixedLoad } from './load.ts';
import { clockTicksPerSecond, cpuTicks, type Sample, takeSample } from './sampler.ts';

export interface SoakOptions {
  /** Length of the load phase. */
  readonly loadMs: number;
  /** Part of the load phase not judged for memory growth (JIT, caches and pools filling). */
  readonly warmupMs: number;
  /** Each fault lasts this long; the modes cycle in FAULT_MODES order. */
  readonly faultMs: number;
  readonly reloadEveryMs: number;
  readonly sampleEveryMs: number;
  readonly ratePerSec: number;
  readonly seed: number;
  /** Progress lines (the long form prints them). */
  readonly progress?: (line: string) => void;
}

export interface SoakReport {
  readonly options: Omit<SoakOptions, 'progress'>;
  readonly baseline: { fds: number; sockets: number; rssBytes: number };
  readonly samples: readonly Sample[];
  readonly load: ReadonlyMap<string, KindStats>;
  readonly skipped: number;
  readonly faultQueries: Readonly<Record<string, number>>;
  readonly reloads: { readonly asked: number; readonly applied: number; readonly maxMs: number };
  /** The most descriptors in the last samples once settled after the load (or at the deadline). */
  readonly settled: { fds: number; sockets: number; waitedMs: number };
  /** CPU used while idle after the load, as a share of one core. */
  readonly idleCpuShare: number;
  readonly stop: { ms: number; code: number | null; signal: string | null };
  readonly logTail: string;
}

/** How long after the load the descriptors may take to come back (expire 2 s + sweeps). */
const SETTLE_MS = 30_000;
const IDLE_CPU_WINDOW_MS = 5000;
/** Longest wait for a clean stop before the agent is killed. */
const STOP_WAIT_MS = 20_000;
/** Descriptors allowed above the idle baseline once settled (a health probe or scrape in flight). */
export const FD_SLACK = 2;
/** Consecutive samples (0.5 s apart) that must all be within the slack. */
const SETTLED_SAMPLES = 3;
/** Pause between DNS probes of the agent while waiting on it (each probe is a query). */
const POLL_MS = 100;

function corefile(knotPort: number, faultAddress: string) {
  return (ports: AgentPorts, generation: number): string => {
    const listen = `:${ports.dns}`;
    const forwardTuning = 'expire 2s\n        health_check 200ms';
    return `cluster.local${listen} example.test${listen} {
    bind 127.0.0.1
    errors
    cache 30 {
        success 1000
        denial 1000
    }
    prometheus 127.0.0.1:${ports.metrics}
    forward . 127.0.0.1:${knotPort} {
        expire 2s
    }
}
udpfault.test${listen} {
    bind 127.0.0.1
    errors
    cache 5 {
        success 1000
        denial 1000
    }
    forward . ${faultAddress} {
        ${forwardTuning}
    }
}
tcpfault.test${listen} {
    bind 127.0.0.1
    errors
    forward . ${faultAddress} {
        force_tcp
        ${forwardTuning}
    }
}
soak.test${listen} {
    bind 127.0.0.1
    hosts {
        ${generationAddress(generation)} generation.soak.test
    }
}
`;
  };
}

/** The address `generation.soak.test` has in config `generation` (record data only). */
function generationAddress(generation: number): string {
  return `10.1.${(generation >> 8) & 255}.${generation & 255}`;
}

async function answersGeneration(port: number, generation: number): Promise<boolean> {
  try {
    const reply = await query({
      host: '127.0.0.1',
      port,
      proto: 'udp',
      name: 'generation.soak.test.',
      timeoutMs: 500,
    });
    const want = generationAddress(generation).split('.').map(Number);
    return reply.length >= 4 && reply.subarray(-4).equals(Buffer.from(want));
  } catch {
    return false;
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor((s.length - 1) / 2)] as number);
};

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const dir = await mkdtemp(join(tmpdir(), 'nodelocaldns-soak-'));
  // Everything started is stopped in reverse order, whatever fails on the way.
  const cleanups: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  try {
    const knot = await startKnot({
      zones: { 'cluster.local': CLUSTER_ZONE, 'example.test': EXTERNAL_ZONE },
    });
    cleanups.push(() => knot.stop());
    const fault = await startFaultUpstream(options.seed);
    cleanups.push(() => fault.stop());
    const agent = await startAgentProcess({ dir, corefile: corefile(knot.port, fault.address) });
    cleanups.push(async () => {
      agent.kill();
      await agent.exited;
    });
    return await soakAgent(options, agent, fault);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

async function soakAgent(
  options: SoakOptions,
  agent: AgentProcess,
  fault: FaultUpstream,
): Promise<SoakReport> {
  const say = options.progress ?? ((): void => {});
  const began = performance.now();
  const now = (): number => Math.round(performance.now() - began);
  const samples: Sample[] = [];
  const sample = async (phase: string): Promise<Sample> => {
    const s = await takeSample(agent.pid, agent.metricsPort, now(), phase);
    samples.push(s);
    return s;
  };
  await until(
    () => `the agent answering on ${agent.dnsPort}\n${agent.log()}`,
    () => answersGeneration(agent.dnsPort, 0),
    30_000,
    POLL_MS,
  );
  // Idle baseline: listeners, HTTP servers, nothing upstream yet.
  await sample('idle');
  const idle = await sample('idle');
  const baseline = { fds: idle.fds, sockets: idle.sockets, rssBytes: idle.rssBytes };
  say(`baseline: ${baseline.fds} fds (${baseline.sockets} sockets), rss ${mib(idle.rssBytes)}`);

  const load = new MixedLoad({
    host: '127.0.0.1',
    port: agent.dnsPort,
    ratePerSec: options.ratePerSec,
    maxOutstanding: 400,
    random: seededRandom(options.seed + 1),
  });
  let generation = 0;
  const reloads = { asked: 0, applied: 0, maxMs: 0 };
  const loadStart = performance.now();
  const loadEnd = loadStart + options.loadMs;
  let nextFault = loadStart + options.faultMs;
  let nextReload = loadStart + options.reloadEveryMs;
  let faultIndex = 0;
  let reloading: Promise<void> = Promise.resolve();
  load.start();
  while (performance.now() < loadEnd) {
    await new Promise((r) => setTimeout(r, options.sampleEveryMs));
    const t = performance.now();
    if (t >= nextFault) {
      nextFault += options.faultMs;
      faultIndex = (faultIndex + 1) % FAULT_MODES.length;
      await fault.setMode(FAULT_MODES[faultIndex] ?? 'healthy');
    }
    if (t >= nextReload) {
      nextReload += options.reloadEveryMs;
      const g = ++generation;
      reloads.asked++;
      reloading = reloading.then(async () => {
        const asked = performance.now();
        await agent.reload(g);
        // Applied when the new hosts entry answers (or a later generation replaced it).
        const ok = await holdsWithin(
          async () => generation !== g || (await answersGeneration(agent.dnsPort, g)),
          15_000,
          POLL_MS,
        );
        if (ok && generation === g) {
          reloads.applied++;
          reloads.maxMs = Math.max(reloads.maxMs, performance.now() - asked);
        } else if (ok) reloads.applied++; // superseded: the next generation proves it
      });
    }
    const s = await sample(`load:${fault.mode}`);
    say(
      `${(s.at / 1000).toFixed(0)}s ${fault.mode}: rss ${mib(s.rssBytes)}, ${s.fds} fds (${s.sockets} sockets), lag p99 ${s.lagP99Ms?.toFixed(1)} ms, sent ${load.sent}, outstanding ${load.outstanding}`,
    );
  }
  await load.stop();
  await reloading;
  await fault.setMode('healthy');
  say(`load stopped after ${load.sent} queries; waiting for descriptors to settle`);

  // Settled when SETTLED_SAMPLES samples in a row are within the slack: a single low reading
  // between a health probe closing and the next one opening proves nothing.
  const settleStart = performance.now();
  const recent: Sample[] = [];
  const within = (x: Sample): boolean =>
    x.fds <= baseline.fds + FD_SLACK && x.sockets <= baseline.sockets + FD_SLACK;
  await holdsWithin(
    async () => {
      recent.push(await sample('settle'));
      if (recent.length > SETTLED_SAMPLES) recent.shift();
      return recent.length === SETTLED_SAMPLES && recent.every(within);
    },
    SETTLE_MS,
    500,
  );
  const settled = {
    fds: Math.max(...recent.map((x) => x.fds)),
    sockets: Math.max(...recent.map((x) => x.sockets)),
    waitedMs: Math.round(performance.now() - settleStart),
  };
  const ticks0 = cpuTicks(agent.pid);
  await new Promise((r) => setTimeout(r, IDLE_CPU_WINDOW_MS));
  const idleCpuShare =
    (cpuTicks(agent.pid) - ticks0) / clockTicksPerSecond() / (IDLE_CPU_WINDOW_MS / 1000);
  say(
    `settled: ${settled.fds} fds (${settled.sockets} sockets) after ${settled.waitedMs} ms; idle cpu ${(idleCpuShare * 100).toFixed(1)}%`,
  );

  const stopAsked = performance.now();
  agent.terminate();
  const exit = await Promise.race([
    agent.exited,
    new Promise<undefined>((r) => setTimeout(() => r(undefined), STOP_WAIT_MS)),
  ]);
  const stop = {
    ms: Math.round(performance.now() - stopAsked),
    code: exit?.code ?? null,
    signal: exit === undefined ? 'did not exit' : (exit.signal ?? null),
  };
  const { progress: _progress, ...plain } = options;
  return {
    options: plain,
    baseline,
    samples,
    load: load.stats,
    skipped: load.skipped,
    faultQueries: { ...fault.seen },
    reloads: { ...reloads, maxMs: Math.round(reloads.maxMs) },
    settled,
    idleCpuShare,
    stop,
    logTail: agent.log(),
  };
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export { median };
