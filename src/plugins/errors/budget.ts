// A cap on error lines per second, so an error storm (every query failing during an upstream
// outage at thousands of queries per second) cannot flood the log. Lines past the cap are
// counted, and the first line of the next second says how many were left out. The clock is
// injectable for tests.

/** Error lines one `errors` handler prints per second before it only counts. */
export const DEFAULT_LINES_PER_SECOND = 100;

/** App-lifetime count of lines left out, for coredns_nodecache_errors_suppressed_total. */
export interface SuppressedCounter {
  suppressed: number;
}

export class LineBudget {
  readonly #perSecond: number;
  readonly #now: () => number;
  readonly #counter: SuppressedCounter;
  #windowStart = Number.NEGATIVE_INFINITY;
  #used = 0;
  #suppressedInWindow = 0;

  constructor(
    counter: SuppressedCounter,
    perSecond = DEFAULT_LINES_PER_SECOND,
    now = () => performance.now(),
  ) {
    this.#counter = counter;
    this.#perSecond = perSecond;
    this.#now = now;
  }

  /**
   * Whether a line may be printed now. `report` gets the summary of the previous second's
   * left-out lines, printed before the first line of a new second.
   */
  take(report: (line: string) => void): boolean {
    const now = this.#now();
    if (now - this.#windowStart >= 1000) {
      if (this.#suppressedInWindow > 0)
        report(
          `${this.#suppressedInWindow} error lines left out in the last second (over ${this.#perSecond}/s)`,
        );
      this.#windowStart = now;
      this.#used = 0;
      this.#suppressedInWindow = 0;
    }
    if (this.#used < this.#perSecond) {
      this.#used++;
      return true;
    }
    this.#suppressedInWindow++;
    this.#counter.suppressed++;
    return false;
  }
}
