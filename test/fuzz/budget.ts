// Wall-clock budgets for the fast-check properties: runs are unbounded in count and stopped by
// time (`interruptAfterTimeLimit`), so CI time stays predictable. Locally each property gets
// 10 s; in CI (process.env.CI set) the properties share about 60 s in total.

import type { Parameters as FcParameters } from 'fast-check';

const inCi =
  process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';

/** fast-check parameters for one property: `ciMs` of wall time in CI, 10 s locally. */
export function timeBudget<T>(ciMs: number, extra: FcParameters<T> = {}): FcParameters<T> {
  return {
    interruptAfterTimeLimit: inCi ? ciMs : 10_000,
    markInterruptAsFailure: false,
    numRuns: Number.MAX_SAFE_INTEGER,
    ...extra,
  };
}

/** Longest a single call on one input may take before we call it a loop (GC pauses included). */
export const SINGLE_CALL_MS = 1000;

/** Runs `fn` and fails when one call takes longer than SINGLE_CALL_MS, thrown or not. */
export function timed<T>(what: string, fn: () => T): T {
  const started = performance.now();
  const check = (): void => {
    const ms = performance.now() - started;
    if (ms > SINGLE_CALL_MS) throw new Error(`${what} took ${ms.toFixed(0)} ms on one input`);
  };
  let result: T;
  try {
    result = fn();
  } catch (err) {
    check();
    throw err;
  }
  check();
  return result;
}
