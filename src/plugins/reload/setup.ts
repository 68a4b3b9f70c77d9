import type { DirectiveReader } from '../../corefile/model.ts';
import { parseTimerDuration } from '../../util/duration.ts';

export interface ReloadConfig {
  /** Polling interval; at least 2 s. */
  readonly intervalMs: number;
  /** Jitter range; at least 1 s, capped at interval / 2. */
  readonly jitterMs: number;
}

const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_JITTER_MS = 15_000;
const MIN_INTERVAL_MS = 2000;
const MIN_JITTER_MS = 1000;

/** `reload [INTERVAL [JITTER]]` */
export function parseReload(d: DirectiveReader): ReloadConfig {
  const [interval, jitter] = d.expectArgs(0, 2);
  d.expectNoBlock();
  const duration = (text: string): number => {
    try {
      return parseTimerDuration(text);
    } catch (err) {
      throw d.error('ERR_COREFILE_VALUE', (err as Error).message);
    }
  };
  const intervalMs = interval === undefined ? DEFAULT_INTERVAL_MS : duration(interval);
  const jitterMs = jitter === undefined ? DEFAULT_JITTER_MS : duration(jitter);
  if (intervalMs < MIN_INTERVAL_MS)
    throw d.error(
      'ERR_COREFILE_VALUE',
      `interval value must be greater or equal to 2s, got '${interval}'`,
    );
  if (jitterMs < MIN_JITTER_MS)
    throw d.error(
      'ERR_COREFILE_VALUE',
      `jitter value must be greater or equal to 1s, got '${jitter}'`,
    );
  return { intervalMs, jitterMs: Math.min(jitterMs, intervalMs / 2) };
}
