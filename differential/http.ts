// The HTTP side of both servers: health answers, and the metric names each exposes.

import type { Side } from './pair.ts';

export async function healthStatus(side: Side): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${side.ports.health}/health`, {
    signal: AbortSignal.timeout(3000),
  });
  await res.text();
  return res.status;
}

/** Names of the metric families on the side's prometheus listener (from `# TYPE` lines). */
export async function metricNames(side: Side): Promise<Set<string>> {
  const res = await fetch(`http://127.0.0.1:${side.ports.metrics}/metrics`, {
    signal: AbortSignal.timeout(3000),
  });
  const text = await res.text();
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] as string));
}

/**
 * coredns_dns_requests_total of one zone, by its labels without `server` (each side has its own
 * port), e.g. `family="1",proto="udp",type="A",view="",zone="cluster.local."` → 19.
 */
export async function requestCounts(side: Side, zone: string): Promise<Record<string, number>> {
  const res = await fetch(`http://127.0.0.1:${side.ports.metrics}/metrics`, {
    signal: AbortSignal.timeout(3000),
  });
  const out: Record<string, number> = {};
  for (const m of (await res.text()).matchAll(/^coredns_dns_requests_total\{([^}]*)\} (\S+)$/gm)) {
    const labels = (m[1] as string)
      .split(',')
      .filter((l) => !l.startsWith('server='))
      .join(',');
    if (labels.includes(`zone="${zone}"`)) out[labels] = Number(m[2]);
  }
  return out;
}
