// A per-App registry of collectors. Nothing is counted here: each subsystem keeps plain-number
// counters on its hot path and registers a collector that reads them when /metrics is scraped.

import { ExpositionWriter } from './exposition.ts';

export interface Collector {
  /** Declares families and writes the current values; runs at scrape time only. */
  collect(w: ExpositionWriter): void;
}

export class MetricsRegistry {
  readonly #collectors = new Set<Collector>();

  /** Adds a collector; the returned function removes it again. */
  register(collector: Collector): () => void {
    this.#collectors.add(collector);
    return () => {
      this.#collectors.delete(collector);
    };
  }

  /** The whole exposition text; a collector that throws is skipped, the others still render. */
  render(onError?: (err: unknown) => void): string {
    return this.write(onError).toString();
  }

  /** Every collector written into one writer (its families are what a worker sends to merge). */
  write(onError?: (err: unknown) => void): ExpositionWriter {
    const w = new ExpositionWriter();
    for (const c of this.#collectors) {
      try {
        c.collect(w);
      } catch (err) {
        onError?.(err);
      }
    }
    return w;
  }
}
