// Event-loop delay and garbage collection figures for /debug/pprof/, collected while the config
// is live: perf_hooks' event-loop delay histogram and a PerformanceObserver of 'gc' entries.

import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

/** NODE_PERFORMANCE_GC_* kinds by name. */
const GC_KINDS: Record<number, string> = {
  1: 'minor',
  2: 'major',
  4: 'incremental',
  8: 'weakcb',
};

interface GcTotals {
  count: number;
  totalMs: number;
  maxMs: number;
}

export class RuntimeStats {
  readonly #delay: ReturnType<typeof monitorEventLoopDelay>;
  readonly #observer: PerformanceObserver;
  readonly #gc = new Map<string, GcTotals>();
  readonly #since = Date.now();

  constructor() {
    this.#delay = monitorEventLoopDelay({ resolution: 10 });
    this.#delay.enable();
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? 0;
        const name = GC_KINDS[kind] ?? `kind${kind}`;
        let t = this.#gc.get(name);
        if (t === undefined) {
          t = { count: 0, totalMs: 0, maxMs: 0 };
          this.#gc.set(name, t);
        }
        t.count++;
        t.totalMs += entry.duration;
        t.maxMs = Math.max(t.maxMs, entry.duration);
      }
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.#delay.disable();
    this.#observer.disconnect();
  }

  /** A plain object for the JSON index; times in milliseconds. */
  snapshot(): Record<string, unknown> {
    const d = this.#delay;
    const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;
    return {
      since: new Date(this.#since).toISOString(),
      // Before the first sample the histogram's min is a sentinel (2^63); report zeros then.
      eventLoopDelayMs:
        d.count === 0
          ? { samples: 0, min: 0, mean: 0, p50: 0, p99: 0, max: 0, stddev: 0 }
          : {
              samples: d.count,
              min: ms(d.min),
              mean: ms(d.mean),
              p50: ms(d.percentile(50)),
              p99: ms(d.percentile(99)),
              max: ms(d.max),
              stddev: ms(d.stddev),
            },
      gc: Object.fromEntries(
        [...this.#gc].map(([kind, t]) => [
          kind,
          { count: t.count, totalMs: Math.round(t.totalMs * 1e3) / 1e3, maxMs: t.maxMs },
        ]),
      ),
      memory: process.memoryUsage(),
      uptimeSeconds: process.uptime(),
    };
  }
}
