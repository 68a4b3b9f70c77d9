// Waiting on observable state instead of sleeping: poll a check until it holds. The timeout only
// bounds a failing test, so it is generous (a loaded CI machine makes waits longer, never
// shorter); a passing test waits exactly as long as the state takes to change.

/** Long enough for a loaded machine; a passing check returns as soon as it holds. */
export const DEFAULT_WAIT_MS = 15_000;

/**
 * Polls `check` every `stepMs` until it returns true; throws after `timeoutMs`. `what` may be a
 * function, called only at the deadline, so the message can carry state as it is then (a log
 * tail, a counter).
 */
export async function until(
  what: string | (() => string),
  check: () => Promise<boolean> | boolean,
  timeoutMs = DEFAULT_WAIT_MS,
  stepMs = 20,
): Promise<void> {
  if (await holdsWithin(check, timeoutMs, stepMs)) return;
  const described = typeof what === 'string' ? what : what();
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${described}`);
}

/**
 * As until(), but resolves false at the deadline instead of throwing: for a caller that turns
 * "did not happen in time" into a verdict of its own (a soak's settle phase) rather than a failure.
 */
export async function holdsWithin(
  check: () => Promise<boolean> | boolean,
  timeoutMs = DEFAULT_WAIT_MS,
  stepMs = 20,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}

/** Polls `read` until `check` accepts what it returned; resolves with that value. */
export async function untilValue<T>(
  what: string,
  read: () => Promise<T> | T,
  check: (value: T) => boolean,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<T> {
  let last: T | undefined;
  await until(
    what,
    async () => {
      last = await read();
      return check(last);
    },
    timeoutMs,
  );
  return last as T;
}
