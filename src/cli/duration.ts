// Go `time.ParseDuration` and node-cache's `-syncinterval` quirk.

import { UsageError } from './flags.ts';

const UNIT_NS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

interface DurationPart {
  readonly value: number;
  readonly unit: string;
}

/** Splits `1h2m3.5s` into parts; undefined when the text is not a Go duration. */
function splitDuration(text: string): DurationPart[] | undefined {
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
  const parts = splitDuration(body);
  if (parts === undefined) return undefined;
  return sign * parts.reduce((sum, p) => sum + p.value * (UNIT_NS[p.unit] ?? 0), 0);
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
      `invalid value "${text}" for flag -${flag}: want seconds (60), 60ns, 60s or 1m; must be > 0`,
    );
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    const parts = splitDuration(text);
    if (parts === undefined) throw bad();
    ms = parts.reduce(
      (sum, p) =>
        sum + (p.unit === 'ns' ? p.value * 1000 : (p.value * (UNIT_NS[p.unit] ?? 0)) / 1e6),
      0,
    );
  }
  if (!Number.isFinite(ms) || ms <= 0) throw bad();
  return Math.round(ms);
}

/** A plain Go duration flag (`10s`, `500ms`) in milliseconds, > 0. */
export function parseDurationMs(text: string, flag: string): number {
  const ns = parseGoDurationNs(text);
  if (ns === undefined || ns <= 0) {
    throw new UsageError(
      'ERR_FLAG_VALUE',
      `invalid value "${text}" for flag -${flag}: want a duration such as 10s or 500ms, > 0`,
    );
  }
  return ns / 1e6;
}
