// Duration flags: node-cache's `-syncinterval` quirk and plain Go durations, on the project's
// one Go-duration parser (src/util/duration.ts).

import { MAX_TIMER_MS, parseGoDurationNs, splitGoDuration, UNIT_NS } from '../util/duration.ts';
import { UsageError } from './flags.ts';

export { parseGoDurationNs } from '../util/duration.ts';

/** Duration flags all set timers: held between 1 ms and Node's timer limit. */
function inTimerRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 1 && ms <= MAX_TIMER_MS;
}

/**
 * `-syncinterval`: node-cache multiplies the parsed Go duration by one second, so its default
 * `60` (printed as `60ns`) means 60 s and `30ns` means 30 s, while `30s` overflows there. Here a
 * bare number and a nanosecond count are seconds (node-cache's meaning), and any other unit is a
 * real duration (`30s`, `1m`, `1m30s`), so both old and natural spellings work.
 */
export function parseSyncIntervalMs(text: string, flag = 'syncinterval'): number {
  const bad = (): UsageError =>
    new UsageError(
      'ERR_FLAG_VALUE',
      `invalid value "${text}" for flag -${flag}: want seconds (60), 60ns, 60s or 1m; 1ms to 24 days`,
    );
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    const parts = splitGoDuration(text);
    if (parts === undefined) throw bad();
    ms = parts.reduce(
      (sum, p) =>
        sum + (p.unit === 'ns' ? p.value * 1000 : (p.value * (UNIT_NS[p.unit] ?? 0)) / 1e6),
      0,
    );
  }
  if (!inTimerRange(Math.round(ms))) throw bad();
  return Math.round(ms);
}

/** A plain Go duration flag (`10s`, `500ms`) in milliseconds, 1 ms to MAX_TIMER_MS. */
export function parseDurationMs(text: string, flag: string): number {
  const ns = parseGoDurationNs(text);
  if (ns === undefined || !inTimerRange(ns / 1e6)) {
    throw new UsageError(
      'ERR_FLAG_VALUE',
      `invalid value "${text}" for flag -${flag}: want a duration such as 10s or 500ms, 1ms to 24 days`,
    );
  }
  return ns / 1e6;
}
