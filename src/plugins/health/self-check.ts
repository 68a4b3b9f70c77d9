// CoreDNS's health self-fetch: every second GET the own /health (3 s timeout), record the time in
// coredns_health_request_duration_seconds and count failures.

import type { ExpositionWriter } from '../../metrics/exposition.ts';
import { Histogram, SLIM_TIME_BUCKETS } from '../../metrics/histogram.ts';
import type { Logger } from '../../util/log.ts';
import { get } from '../../util/node-http.ts';

const PERIOD_MS = 1000;
const TIMEOUT_MS = 3000;
const SLOW_MS = 1000;

/** App-lifetime counters: exported at 0 from the start, as CoreDNS's init-time registration does. */
export class HealthCounters {
  readonly duration = new Histogram(SLIM_TIME_BUCKETS);
  failures = 0;

  collect(w: ExpositionWriter): void {
    w.family(
      'coredns_health_request_duration_seconds',
      'Histogram of the time (in seconds) each request took.',
      'histogram',
    );
    w.histogram('coredns_health_request_duration_seconds', [], this.duration);
    w.family(
      'coredns_health_request_failures_total',
      'The number of times the health check failed.',
      'counter',
    );
    w.sample('coredns_health_request_failures_total', [], this.failures);
  }
}

export class HealthSelfCheck {
  readonly #counters: HealthCounters;
  readonly #log: Logger;
  #url: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(counters: HealthCounters, log: Logger) {
    this.#counters = counters;
    this.#log = log;
  }

  /** Polls `url` from now on (undefined stops polling). */
  target(url: string | undefined): void {
    this.#url = url;
    if (url === undefined) {
      this.stop();
      return;
    }
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#once(), PERIOD_MS).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #once(): void {
    const url = this.#url;
    if (url === undefined) return;
    const started = performance.now();
    const fail = (why: string): void => {
      this.#counters.failures++;
      this.#log.warning(`Local health request to "${url}" failed: ${why}`);
    };
    const req = get(url, { timeout: TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => {
        const ms = performance.now() - started;
        this.#counters.duration.observe(ms / 1000);
        if (ms > SLOW_MS)
          this.#log.warning(
            `Local health request to "${url}" took more than 1s: ${Math.round(ms)}ms`,
          );
        if (res.statusCode !== 200) fail(`status ${res.statusCode}`);
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => fail(err.message));
  }
}
