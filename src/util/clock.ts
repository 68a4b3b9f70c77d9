// The agent's two clocks, as one injectable object: TTLs and timers run on the monotonic one,
// snapshots that outlive the process on the wall clock. Tests pass their own to move time
// without waiting for it (AppOptions.clock → SetupContext.clock).

import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Monotonic milliseconds, as performance.now(). */
  monotonicMs(): number;
  /** Milliseconds since the epoch, as Date.now(). */
  wallMs(): number;
}

export const SYSTEM_CLOCK: Clock = {
  monotonicMs: () => performance.now(),
  wallMs: () => Date.now(),
};
