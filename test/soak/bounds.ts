// The soak's pass/fail bounds, applied to a report. Generous where a loaded CI machine adds
// noise (event-loop delay, lost UDP datagrams), tight where a leak would show (descriptors back
// to the idle baseline, an idle agent using no CPU, a clean stop). docs/soak.md lists them.

import { FD_SLACK, median, mib, type SoakReport } from './soak.ts';

export const BOUNDS = {
  /** RSS after warm-up may grow by at most this much (median of the first and last 3 samples). */
  rssGrowthBytes: 24 * 2 ** 20,
  /** Event-loop delay p99 of any sample window (about 2 s of load). */
  lagP99Ms: 250,
  /** Longest single event-loop stall seen in any window. */
  lagMaxMs: 1500,
  /** Once the load stopped and the upstream healed: descriptors back within FD_SLACK of idle. */
  fdSlack: FD_SLACK,
  /** An idle agent uses less than this share of one core (a spinning loop uses ~1). */
  idleCpuShare: 0.05,
  /** SIGTERM to exit. */
  stopMs: 10_000,
  /** Knot-backed queries (hits, misses, NXDOMAIN) unanswered or with the wrong rcode. */
  knotFailureShare: 0.01,
  /** Queries to the faulty zones that got no reply at all (SERVFAIL counts as a reply). */
  faultUnansweredShare: 0.02,
} as const;

export interface Verdict {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export function checkBounds(report: SoakReport): Verdict[] {
  const out: Verdict[] = [];
  const add = (name: string, ok: boolean, detail: string): void => {
    out.push({ name, ok, detail });
  };
  const warmEnd = report.options.warmupMs;
  const loadSamples = report.samples.filter((s) => s.phase.startsWith('load:'));
  const judged = loadSamples.filter((s) => s.at >= (loadSamples[0]?.at ?? 0) + warmEnd);
  if (judged.length < 6) {
    add('rss growth', false, `only ${judged.length} samples after warm-up; run longer`);
  } else {
    const first = median(judged.slice(0, 3).map((s) => s.rssBytes));
    const last = median(judged.slice(-3).map((s) => s.rssBytes));
    add(
      'rss growth',
      last - first <= BOUNDS.rssGrowthBytes,
      `${mib(first)} -> ${mib(last)} (${mib(last - first)}; bound ${mib(BOUNDS.rssGrowthBytes)})`,
    );
  }
  const lags = loadSamples.map((s) => s.lagP99Ms).filter((v): v is number => v !== undefined);
  const maxes = loadSamples.map((s) => s.lagMaxMs).filter((v): v is number => v !== undefined);
  add(
    'event-loop delay',
    lags.length > 0 &&
      Math.max(...lags) <= BOUNDS.lagP99Ms &&
      Math.max(...maxes) <= BOUNDS.lagMaxMs,
    lags.length === 0
      ? 'no scrape succeeded'
      : `worst window p99 ${Math.max(...lags).toFixed(1)} ms (bound ${BOUNDS.lagP99Ms}), max ${Math.max(...maxes).toFixed(1)} ms (bound ${BOUNDS.lagMaxMs})`,
  );
  const { baseline, settled } = report;
  add(
    'descriptors back to baseline',
    settled.fds <= baseline.fds + BOUNDS.fdSlack &&
      settled.sockets <= baseline.sockets + BOUNDS.fdSlack,
    `idle ${baseline.fds} fds (${baseline.sockets} sockets), after load ${settled.fds} (${settled.sockets}) within ${settled.waitedMs} ms`,
  );
  add(
    'idle cpu after load',
    report.idleCpuShare < BOUNDS.idleCpuShare,
    `${(report.idleCpuShare * 100).toFixed(1)}% of a core (bound ${BOUNDS.idleCpuShare * 100}%)`,
  );
  add(
    'clean stop',
    report.stop.code === 0 && report.stop.ms <= BOUNDS.stopMs,
    `exit ${report.stop.code ?? report.stop.signal} after ${report.stop.ms} ms (bound ${BOUNDS.stopMs})`,
  );
  let knotSent = 0;
  let knotBad = 0;
  let faultSent = 0;
  let faultLost = 0;
  for (const [kind, s] of report.load) {
    if (kind.startsWith('fault-')) {
      faultSent += s.sent;
      faultLost += s.unanswered;
    } else {
      knotSent += s.sent;
      knotBad += s.unanswered + s.wrong;
    }
  }
  add(
    'cluster names answered',
    knotSent > 0 && knotBad <= knotSent * BOUNDS.knotFailureShare,
    `${knotBad} of ${knotSent} unanswered or wrong (bound ${BOUNDS.knotFailureShare * 100}%)`,
  );
  add(
    'faulty zones replied',
    faultSent > 0 && faultLost <= faultSent * BOUNDS.faultUnansweredShare,
    `${faultLost} of ${faultSent} got no reply (bound ${BOUNDS.faultUnansweredShare * 100}%)`,
  );
  add(
    'reloads applied',
    report.reloads.asked > 0 && report.reloads.applied === report.reloads.asked,
    `${report.reloads.applied} of ${report.reloads.asked}, slowest ${report.reloads.maxMs} ms`,
  );
  return out;
}

/** The report as text: verdicts, then the load and fault tallies. */
export function formatReport(report: SoakReport, verdicts: readonly Verdict[]): string {
  const lines = verdicts.map((v) => `${v.ok ? 'ok  ' : 'FAIL'} ${v.name}: ${v.detail}`);
  for (const [kind, s] of report.load) {
    const rcodes = Object.entries(s.rcodes)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    lines.push(
      `     ${kind}: ${s.sent} sent; ${rcodes}; unanswered ${s.unanswered}; wrong ${s.wrong}; slowest ${Math.round(s.maxLatencyMs)} ms`,
    );
  }
  const faults = Object.entries(report.faultQueries)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  lines.push(`     upstream queries by fault: ${faults}; skipped sends ${report.skipped}`);
  return lines.join('\n');
}
