// Go's time.ParseDuration syntax, which Corefiles and node-cache's flags use: `500ms`, `5s`,
// `1m30s`, `1.5h`. A unit is required except for a bare `0`. The one duration parser of the
// project: src/cli/duration.ts builds the flag forms (node-cache's -syncinterval quirk) on it.

/** Nanoseconds per unit; µ (micro sign) and μ (Greek mu) both spell microseconds, as in Go. */
export const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

export interface DurationPart {
  readonly value: number;
  readonly unit: string;
}

export class DurationError extends Error {
  readonly code = 'ERR_BAD_DURATION';
  constructor(text: string, why: string) {
    super(`invalid duration '${text}': ${why}`);
    this.name = 'DurationError';
  }
}

/** Splits an unsigned `1h2m3.5s` into parts; undefined when it is not a Go duration. */
export function splitGoDuration(text: string): DurationPart[] | undefined {
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  const parts: DurationPart[] = [];
  let pos = 0;
  while (pos < text.length) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m === null) return undefined;
    parts.push({ value: Number(m[1]), unit: m[2] ?? '' });
    pos = re.lastIndex;
  }
  return parts.length > 0 ? parts : undefined;
}

/** Go's ParseDuration in nanoseconds (sign and the bare `0` included); undefined on bad syntax. */
export function parseGoDurationNs(text: string): number | undefined {
  let body = text;
  let sign = 1;
  if (body.startsWith('-') || body.startsWith('+')) {
    sign = body.startsWith('-') ? -1 : 1;
    body = body.slice(1);
  }
  if (body === '0') return 0;
  const parts = splitGoDuration(body);
  if (parts === undefined) return undefined;
  return sign * parts.reduce((sum, p) => sum + p.value * (UNIT_NS[p.unit] ?? 0), 0);
}

/** Milliseconds in a Go duration string; throws DurationError. */
export function parseGoDuration(text: string): number {
  const trimmed = text.trim();
  const ns = parseGoDurationNs(trimmed);
  if (ns !== undefined) return ns / 1e6;
  const body = trimmed.replace(/^[-+]/, '');
  const why =
    body === '' ? 'empty' : /^[\d.]+$/.test(body) ? 'missing unit' : 'unknown unit or syntax';
  throw new DurationError(text, why);
}

/**
 * The longest timer Node keeps (2^31-1 ms, about 24.8 days): a longer one fires after 1 ms, so a
 * huge period would turn into a busy loop. Durations that feed a timer are held to it.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** parseGoDuration for a duration that sets a timer: also refuses one past MAX_TIMER_MS. */
export function parseTimerDuration(text: string): number {
  const ms = parseGoDuration(text);
  if (ms > MAX_TIMER_MS) throw new DurationError(text, "longer than Node's timer limit (24 days)");
  return ms;
}

/** Go's Duration.String() shape for log lines: `30s`, `5m0s`, `1h0m0s`, `500ms`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const totalSeconds = ms / 1000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = Number((totalSeconds % 60).toFixed(3));
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
