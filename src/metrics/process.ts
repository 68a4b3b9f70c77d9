// process_* and nodejs_* metrics under prom-client's names, so stock Node dashboards work:
// CPU, RSS, heap, open and max fds, start time, and event-loop delay from perf_hooks.

import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ExpositionWriter } from './exposition.ts';

const NS_PER_S = 1e9;
/** Sampling resolution of the delay monitor; each sample includes it, so it is subtracted. */
const RESOLUTION_MS = 10;
const lag = (ns: number): number => Math.max(0, ns / NS_PER_S - RESOLUTION_MS / 1000);

export class ProcessCollector {
  readonly #startTime = Math.round(Date.now() / 1000 - process.uptime());
  #delay: ReturnType<typeof monitorEventLoopDelay> | undefined;

  /** Starts sampling event-loop delay. */
  start(): void {
    if (this.#delay !== undefined) return;
    this.#delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.#delay.enable();
  }

  stop(): void {
    this.#delay?.disable();
    this.#delay = undefined;
  }

  collect(w: ExpositionWriter): void {
    const cpu = process.cpuUsage();
    const g = (
      name: string,
      help: string,
      value: number,
      type: 'gauge' | 'counter' = 'gauge',
    ): void => {
      w.family(name, help, type);
      w.sample(name, [], value);
    };
    g(
      'process_cpu_user_seconds_total',
      'Total user CPU time spent in seconds.',
      cpu.user / 1e6,
      'counter',
    );
    g(
      'process_cpu_system_seconds_total',
      'Total system CPU time spent in seconds.',
      cpu.system / 1e6,
      'counter',
    );
    g(
      'process_cpu_seconds_total',
      'Total user and system CPU time spent in seconds.',
      (cpu.user + cpu.system) / 1e6,
      'counter',
    );
    g(
      'process_start_time_seconds',
      'Start time of the process since unix epoch in seconds.',
      this.#startTime,
    );
    g('process_resident_memory_bytes', 'Resident memory size in bytes.', process.memoryUsage.rss());
    const fds = openFds();
    if (fds !== undefined) g('process_open_fds', 'Number of open file descriptors.', fds);
    const max = maxFds();
    if (max !== undefined) g('process_max_fds', 'Maximum number of open file descriptors.', max);
    const mem = process.memoryUsage();
    g('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', mem.heapTotal);
    g('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', mem.heapUsed);
    g('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.', mem.external);
    const d = this.#delay;
    const delays: Array<[string, string, (h: NonNullable<typeof d>) => number]> = [
      ['min', 'The minimum recorded event loop delay.', (h) => h.min],
      ['max', 'The maximum recorded event loop delay.', (h) => h.max],
      ['mean', 'The mean of the recorded event loop delays.', (h) => h.mean],
      ['p50', 'The 50th percentile of the recorded event loop delays.', (h) => h.percentile(50)],
      ['p90', 'The 90th percentile of the recorded event loop delays.', (h) => h.percentile(90)],
      ['p99', 'The 99th percentile of the recorded event loop delays.', (h) => h.percentile(99)],
    ];
    for (const [stat, help, read] of delays) {
      const name = `nodejs_eventloop_lag_${stat}_seconds`;
      w.family(name, help, 'gauge');
      if (d !== undefined && d.count > 0) w.sample(name, [], lag(read(d)));
    }
    if (d !== undefined && d.count > 0) {
      d.reset();
    }
  }
}

function openFds(): number | undefined {
  try {
    // readdirSync opens one descriptor for the directory itself while listing.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return undefined;
  }
}

function maxFds(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m?.[1] === undefined ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}
