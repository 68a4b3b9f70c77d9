// Go's time.ParseDuration syntax, which Corefiles use: `500ms`, `5s`, `1m30s`, `1.5h`. A unit is
// required except for a bare `0`.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export class DurationError extends Error {
  readonly code = 'ERR_BAD_DURATION';
  constructor(text: string, why: string) {
    super(`invalid duration '${text}': ${why}`);
    this.name = 'DurationError';
  }
}

/** Milliseconds in a Go duration string; throws DurationError. */
export function parseGoDuration(text: string): number {
  let rest = text.trim();
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new DurationError(text, 'empty');
  let total = 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/;
  while (rest !== '') {
    const m = part.exec(rest);
    if (m === null)
      throw new DurationError(
        text,
        /^[\d.]+$/.test(rest) ? 'missing unit' : 'unknown unit or syntax',
      );
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    rest = rest.slice(m[0].length);
  }
  return sign * total;
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
