// coredns_nodecache_setup_errors_total{errortype}: counted here, served by the agent's own
// /metrics listener and forwarded to the DNS server so its prometheus listener shows them too.

import {
  SETUP_ERROR_TYPES,
  type SetupErrorCounts,
  type SetupErrorSink,
  type SetupErrorType,
  zeroCounts,
} from './types.ts';

export const SETUP_ERRORS_METRIC = 'coredns_nodecache_setup_errors_total';

export class SetupErrors implements SetupErrorSink {
  readonly #counts: SetupErrorCounts = zeroCounts();
  readonly #listeners: Array<(counts: SetupErrorCounts) => void> = [];

  count(type: SetupErrorType): void {
    this.#counts[type] += 1;
    const snapshot = this.snapshot();
    for (const l of this.#listeners) l(snapshot);
  }

  snapshot(): SetupErrorCounts {
    return { ...this.#counts };
  }

  onChange(listener: (counts: SetupErrorCounts) => void): void {
    this.#listeners.push(listener);
  }

  /** Prometheus text exposition, all five label values present from the start. */
  exposition(): string {
    const lines = [
      `# HELP ${SETUP_ERRORS_METRIC} The number of errors during periodic network setup for node-cache`,
      `# TYPE ${SETUP_ERRORS_METRIC} counter`,
      ...SETUP_ERROR_TYPES.map(
        (t) => `${SETUP_ERRORS_METRIC}{errortype="${t}"} ${this.#counts[t]}`,
      ),
    ];
    return `${lines.join('\n')}\n`;
  }
}
