// HTTP helpers for the observability tests: find the agent's HTTP listeners, GET with a timeout,
// and parse Prometheus text exposition into samples.

import type { App } from '../../src/app.ts';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly help: ReadonlyMap<string, string>;
  readonly type: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
}

/** The port of the HTTP listener configured as `host:port` (port 0 resolved). */
export function httpPort(app: App, configured: string): number {
  const [host = '', port = '0'] = configured.split(/:(?=\d+$)/);
  const found = app.services.http.port(`${host}|${port}`);
  if (found === undefined) throw new Error(`no HTTP listener for ${configured}`);
  return found;
}

export async function get(
  port: number,
  path: string,
  timeoutMs = 5000, // only a request that gets no answer waits it out
): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, body: await res.text() };
}

export async function scrape(port: number): Promise<Exposition> {
  const { status, body } = await get(port, '/metrics');
  if (status !== 200) throw new Error(`/metrics returned ${status}`);
  return parseExposition(body);
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Exposition {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta !== null) {
      (meta[1] === 'HELP' ? help : type).set(meta[2] ?? '', meta[3] ?? '');
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`bad exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL))
      labels[l[1] ?? ''] = (l[2] ?? '').replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const raw = m[3] ?? '';
    samples.push({
      name: m[1] ?? '',
      labels,
      value: raw === '+Inf' ? Number.POSITIVE_INFINITY : Number(raw),
    });
  }
  return { help, type, samples };
}

/** Samples of a family (histogram parts included), optionally filtered by labels. */
export function series(
  e: Exposition,
  family: string,
  where: Record<string, string> = {},
): Sample[] {
  return e.samples.filter(
    (s) =>
      (s.name === family ||
        (e.type.get(family) === 'histogram' &&
          [`${family}_bucket`, `${family}_sum`, `${family}_count`].includes(s.name))) &&
      Object.entries(where).every(([k, v]) => s.labels[k] === v),
  );
}

export function value(e: Exposition, name: string, where: Record<string, string> = {}): number {
  return series(e, name, where)
    .filter((s) => s.name === name)
    .reduce((n, s) => n + s.value, 0);
}

/** The wait helper lives in test/helpers/wait.ts; re-exported for the observability tests. */
export { until } from '../helpers/wait.ts';
