// The forward plugin's metrics as CoreDNS v1.13 names them (plugin/forward/metrics.go,
// plugin/pkg/proxy/metrics.go). The counters are plain numbers on ForwardStats and
// UpstreamStats; this file only names them and reads them out at scrape time.

import { rcodeName } from '../../dns/constants.ts';
import type { DurationHook, Proto } from '../../upstream/stats.ts';
import { PLUGIN_NAME } from './config.ts';
import type { ForwardHandler } from './forward.ts';

export interface MetricInfo {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly labels: readonly string[];
}

export const FORWARD_METRICS = {
  healthcheckBroken: {
    name: 'coredns_forward_healthcheck_broken_total',
    help: 'Counter of the number of complete failures of the healthchecks.',
    type: 'counter',
    labels: [],
  },
  maxConcurrentRejects: {
    name: 'coredns_forward_max_concurrent_rejects_total',
    help: 'Counter of the number of queries rejected because the concurrent queries were at maximum.',
    type: 'counter',
    labels: [],
  },
  requestDuration: {
    name: 'coredns_proxy_request_duration_seconds',
    help: 'Histogram of the time each request took.',
    type: 'histogram',
    labels: ['proxy_name', 'to', 'rcode'],
  },
  healthcheckFailures: {
    name: 'coredns_proxy_healthcheck_failures_total',
    help: 'Counter of the number of failed healthchecks.',
    type: 'counter',
    labels: ['proxy_name', 'to'],
  },
  connCacheHits: {
    name: 'coredns_proxy_conn_cache_hits_total',
    help: 'Counter of connection cache hits per upstream and protocol.',
    type: 'counter',
    labels: ['proxy_name', 'to', 'proto'],
  },
  connCacheMisses: {
    name: 'coredns_proxy_conn_cache_misses_total',
    help: 'Counter of connection cache misses per upstream and protocol.',
    type: 'counter',
    labels: ['proxy_name', 'to', 'proto'],
  },
} as const satisfies Record<string, MetricInfo>;

export interface CounterSample {
  readonly metric: MetricInfo;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const PROTOS: readonly Proto[] = ['udp', 'tcp'];

/**
 * Current counter values of one forward line. Several lines (or blocks) share label sets, so
 * the renderer adds samples with equal labels. Every upstream's counters appear from the start,
 * at 0, as CoreDNS's do once the upstream exists.
 */
export function collectForwardCounters(handler: ForwardHandler): CounterSample[] {
  const m = FORWARD_METRICS;
  const out: CounterSample[] = [
    { metric: m.healthcheckBroken, labels: {}, value: handler.stats.healthcheckBroken },
    { metric: m.maxConcurrentRejects, labels: {}, value: handler.stats.maxConcurrentRejects },
  ];
  for (const upstream of handler.upstreams) {
    const base = { proxy_name: PLUGIN_NAME, to: upstream.label };
    const s = upstream.stats;
    out.push({ metric: m.healthcheckFailures, labels: base, value: s.healthcheckFailures });
    for (const proto of PROTOS) {
      out.push({
        metric: m.connCacheHits,
        labels: { ...base, proto },
        value: s.connCacheHits[proto],
      });
      out.push({
        metric: m.connCacheMisses,
        labels: { ...base, proto },
        value: s.connCacheMisses[proto],
      });
    }
  }
  return out;
}

/**
 * Routes every upstream's exchange durations to `observe` with CoreDNS's labels (the rcode as
 * its name, or the number when unknown). Replaces any hook set before.
 */
export function observeRequestDurations(
  handler: ForwardHandler,
  observe: (labels: { proxy_name: string; to: string; rcode: string }, seconds: number) => void,
): void {
  const hook: DurationHook = (to, rcode, seconds) => {
    const name = rcodeName(rcode);
    observe(
      { proxy_name: PLUGIN_NAME, to, rcode: name.startsWith('RCODE') ? String(rcode) : name },
      seconds,
    );
  };
  for (const upstream of handler.upstreams) upstream.stats.onDuration = hook;
}
