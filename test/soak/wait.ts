// Waits on observable state: polls `check` until it holds or `timeoutMs` passes. Beside
// test/helpers/wait.ts because the soak needs two things it lacks: a message built at the
// deadline (the agent's log tail as it is then) and a mode that resolves false instead of
// throwing (settling, reloads), for a verdict rather than an exception.

export interface WaitOptions {
  readonly timeoutMs: number;
  /** Pause between checks (default 100 ms). */
  readonly intervalMs?: number;
  /** What was awaited, for the error. */
  readonly what?: () => string;
  /** false: resolve false at the deadline instead of throwing. Default true. */
  readonly throws?: boolean;
}

export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  options: WaitOptions,
): Promise<boolean> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (performance.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
  if (options.throws === false) return false;
  throw new Error(
    `timed out after ${options.timeoutMs} ms waiting for ${options.what?.() ?? 'a condition'}`,
  );
}
