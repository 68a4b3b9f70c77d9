// Upstream health for the status page, read from the exposition every plugin's collectors
// produce (so this plugin names no other plugin): an upstream whose
// coredns_proxy_healthcheck_failures_total rose within the last FAILING_WINDOW_MS is failing,
// and a rise of coredns_forward_healthcheck_broken_total means a block had no healthy upstream.

/** How long a rise in the failure counter keeps an upstream marked failing. */
export const FAILING_WINDOW_MS = 10_000;

export interface UpstreamStatus {
  readonly to: string;
  readonly failing: boolean;
  readonly healthcheckFailures: number;
  /** Seconds since the failure counter last rose; null if it never did while watched. */
  readonly lastFailureSecondsAgo: number | null;
}

export interface UpstreamReport {
  readonly upstreams: readonly UpstreamStatus[];
  /** Every upstream of some forward block was down within the window. */
  readonly allDown: boolean;
}

const FAILURES = /^coredns_proxy_healthcheck_failures_total\{(.*)\} (\S+)$/;
const BROKEN = /^coredns_forward_healthcheck_broken_total (\S+)$/;
const TO_LABEL = /(?:^|,)to="((?:[^"\\]|\\.)*)"/;

interface Seen {
  count: number;
  risenAt: number | undefined;
}

export class UpstreamHealth {
  readonly #now: () => number;
  readonly #seen = new Map<string, Seen>();
  #broken: Seen | undefined;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Folds one exposition text in and reports. The first look only sets the baseline. */
  observe(exposition: string): UpstreamReport {
    const now = this.#now();
    const counts = new Map<string, number>();
    let broken = 0;
    for (const line of exposition.split('\n')) {
      const f = FAILURES.exec(line);
      const to = f !== null ? TO_LABEL.exec(f[1] ?? '')?.[1] : undefined;
      if (f !== null && to !== undefined) counts.set(to, (counts.get(to) ?? 0) + Number(f[2]));
      const b = BROKEN.exec(line);
      if (b !== null) broken += Number(b[1]);
    }
    const upstreams: UpstreamStatus[] = [];
    for (const [to, count] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
      const seen = this.#seen.get(to);
      const risenAt = seen !== undefined && count > seen.count ? now : seen?.risenAt;
      this.#seen.set(to, { count, risenAt });
      upstreams.push({
        to,
        failing: risenAt !== undefined && now - risenAt < FAILING_WINDOW_MS,
        healthcheckFailures: count,
        lastFailureSecondsAgo: risenAt === undefined ? null : Math.round((now - risenAt) / 1000),
      });
    }
    const before = this.#broken;
    const brokenRisen = before !== undefined && broken > before.count ? now : before?.risenAt;
    this.#broken = { count: broken, risenAt: brokenRisen };
    const allDown = brokenRisen !== undefined && now - brokenRisen < FAILING_WINDOW_MS;
    return { upstreams, allDown };
  }
}
