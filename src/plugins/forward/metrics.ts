// forward's metrics: coredns_proxy_* and the coredns_forward_* that remain in v1.13, rendered
// at scrape time from its plain-number counters (src/upstream/stats.ts, ForwardStats). One
// ForwardCollector per App (the plugin's init state); a retired config's counters fold into
// totals, so exported counters never go backwards across reloads.

import type { SetupContext } from '../../chain/definition.ts';
import type { ExpositionWriter, Labels } from '../../metrics/exposition.ts';
import { Histogram, TIME_BUCKETS } from '../../metrics/histogram.ts';
import { LiveSources } from '../../metrics/live-sources.ts';

export type ProxyProto = 'udp' | 'tcp' | 'tcp-tls';
/** Per-proto counts of one upstream; tcp-tls only for tls:// upstreams. */
export type ProtoCounts = Readonly<Record<'udp' | 'tcp', number>> & { readonly 'tcp-tls'?: number };

/** Durations of answered exchanges, one histogram per rcode (CoreDNS's rcode label). */
export class ProxyDurations {
  readonly byRcode = new Map<number, Histogram>();
  /** Cache of the last rcode's histogram: almost every answer has the same rcode. */
  #lastRcode = -1;
  #last: Histogram | undefined;

  observe(rcode: number, seconds: number): void {
    let h = this.#last;
    if (rcode !== this.#lastRcode || h === undefined) {
      h = this.byRcode.get(rcode);
      if (h === undefined) {
        h = new Histogram(TIME_BUCKETS);
        this.byRcode.set(rcode, h);
      }
      this.#lastRcode = rcode;
      this.#last = h;
    }
    h.observe(seconds);
  }
}

/** One upstream (`to` = "IP:port"); forward's UpstreamStats has these fields. */
export interface ProxyCounters {
  readonly to: string;
  readonly connCacheHits: ProtoCounts;
  readonly connCacheMisses: ProtoCounts;
  readonly healthcheckFailures: number;
  readonly durations: ProxyDurations;
}

/** One forward plugin instance. */
export interface ForwardMetricsSource {
  /** The object whose counters these are; registering it twice counts once. */
  readonly id: object;
  /** `proxy_name` label; CoreDNS's forward uses "forward". */
  readonly proxyName: string;
  proxies(): Iterable<ProxyCounters>;
  /** Every upstream was down and one was picked at random (coredns_forward_healthcheck_broken_total). */
  readonly healthcheckBroken: number;
  /** Queries refused by max_concurrent (coredns_forward_max_concurrent_rejects_total). */
  readonly maxConcurrentRejects: number;
}

interface ProxyTotal {
  proxyName: string;
  to: string;
  hits: Record<ProxyProto, number>;
  misses: Record<ProxyProto, number>;
  healthcheckFailures: number;
  durations: Map<number, Histogram>;
}

export class ForwardCollector {
  readonly #live = new LiveSources<ForwardMetricsSource>();
  readonly #retired = new Map<string, ProxyTotal>();
  #retiredBroken = 0;
  #retiredRejects = 0;

  add(source: ForwardMetricsSource): () => void {
    return this.#live.add(source, (retired) => {
      this.#fold(this.#retired, retired);
      this.#retiredBroken += retired.healthcheckBroken;
      this.#retiredRejects += retired.maxConcurrentRejects;
    });
  }

  #fold(into: Map<string, ProxyTotal>, source: ForwardMetricsSource): void {
    for (const p of source.proxies()) {
      const key = `${source.proxyName}\u0000${p.to}`;
      let t = into.get(key);
      if (t === undefined) {
        t = {
          proxyName: source.proxyName,
          to: p.to,
          hits: { udp: 0, tcp: 0, 'tcp-tls': 0 },
          misses: { udp: 0, tcp: 0, 'tcp-tls': 0 },
          healthcheckFailures: 0,
          durations: new Map(),
        };
        into.set(key, t);
      }
      for (const proto of ['udp', 'tcp', 'tcp-tls'] as const) {
        t.hits[proto] += p.connCacheHits[proto] ?? 0;
        t.misses[proto] += p.connCacheMisses[proto] ?? 0;
      }
      t.healthcheckFailures += p.healthcheckFailures;
      for (const [rcode, h] of p.durations.byRcode) {
        let sum = t.durations.get(rcode);
        if (sum === undefined) {
          sum = new Histogram(TIME_BUCKETS);
          t.durations.set(rcode, sum);
        }
        sum.add(h);
      }
    }
  }

  collect(w: ExpositionWriter, rcodeLabel: (rcode: number) => string): void {
    w.family(
      'coredns_forward_healthcheck_broken_total',
      'Counter of the number of complete failures of the healthchecks.',
      'counter',
    );
    w.family(
      'coredns_forward_max_concurrent_rejects_total',
      'Counter of the number of queries rejected because the concurrent queries were at maximum.',
      'counter',
    );
    w.family(
      'coredns_proxy_request_duration_seconds',
      'Histogram of the time each request took.',
      'histogram',
    );
    w.family(
      'coredns_proxy_healthcheck_failures_total',
      'Counter of the number of failed healthchecks.',
      'counter',
    );
    w.family(
      'coredns_proxy_conn_cache_hits_total',
      'Counter of connection cache hits per upstream and protocol.',
      'counter',
    );
    w.family(
      'coredns_proxy_conn_cache_misses_total',
      'Counter of connection cache misses per upstream and protocol.',
      'counter',
    );
    let broken = this.#retiredBroken;
    let rejects = this.#retiredRejects;
    const totals = new Map<string, ProxyTotal>();
    // Copy the retired totals so live values are added to a scratch copy, never into them.
    for (const [key, t] of this.#retired) {
      const durations = new Map<number, Histogram>();
      for (const [rcode, h] of t.durations) {
        const copy = new Histogram(TIME_BUCKETS);
        copy.add(h);
        durations.set(rcode, copy);
      }
      totals.set(key, { ...t, hits: { ...t.hits }, misses: { ...t.misses }, durations });
    }
    for (const source of this.#live.sources()) {
      this.#fold(totals, source);
      broken += source.healthcheckBroken;
      rejects += source.maxConcurrentRejects;
    }
    w.sample('coredns_forward_healthcheck_broken_total', [], broken);
    w.sample('coredns_forward_max_concurrent_rejects_total', [], rejects);
    for (const t of totals.values()) {
      const labels: Labels = [
        ['proxy_name', t.proxyName],
        ['to', t.to],
      ];
      for (const [rcode, h] of [...t.durations].sort((a, b) => a[0] - b[0])) {
        w.histogram(
          'coredns_proxy_request_duration_seconds',
          [...labels.slice(0, 1), ['rcode', rcodeLabel(rcode)], ...labels.slice(1)],
          h,
        );
      }
      w.sample('coredns_proxy_healthcheck_failures_total', labels, t.healthcheckFailures);
      for (const proto of ['tcp', 'udp', 'tcp-tls'] as const) {
        // tcp-tls only for upstreams that have TLS traffic (tls:// upstreams).
        if (proto === 'tcp-tls' && t.hits[proto] + t.misses[proto] === 0) continue;
        w.sample(
          'coredns_proxy_conn_cache_hits_total',
          [['proto', proto], ...labels],
          t.hits[proto],
        );
        w.sample(
          'coredns_proxy_conn_cache_misses_total',
          [['proto', proto], ...labels],
          t.misses[proto],
        );
      }
    }
  }
}

/** The parts of forward's ForwardHandler that metrics read (structural: no import). */
export interface ForwardHandlerLike {
  readonly stats: { readonly healthcheckBroken: number; readonly maxConcurrentRejects: number };
  readonly upstreams: ReadonlyArray<{
    readonly label: string;
    readonly stats: {
      readonly connCacheHits: ProtoCounts;
      readonly connCacheMisses: ProtoCounts;
      readonly healthcheckFailures: number;
      onDuration: ((to: string, rcode: number, seconds: number) => void) | undefined;
    };
  }>;
}

/** A source for a forward handler; routes each upstream's durations into a histogram per rcode. */
export function forwardHandlerSource(
  handler: ForwardHandlerLike,
  proxyName = 'forward',
): ForwardMetricsSource {
  const proxies: ProxyCounters[] = handler.upstreams.map((u) => {
    const durations = new ProxyDurations();
    u.stats.onDuration = (_to, rcode, seconds) => durations.observe(rcode, seconds);
    return {
      to: u.label,
      get connCacheHits() {
        return u.stats.connCacheHits;
      },
      get connCacheMisses() {
        return u.stats.connCacheMisses;
      },
      get healthcheckFailures() {
        return u.stats.healthcheckFailures;
      },
      durations,
    };
  });
  return {
    id: handler,
    proxyName,
    proxies: () => proxies,
    get healthcheckBroken() {
      return handler.stats.healthcheckBroken;
    },
    get maxConcurrentRejects() {
      return handler.stats.maxConcurrentRejects;
    },
  };
}

/** Adds a forward handler's counters for as long as the setting-up config lives. */
export function registerForwardMetrics(
  handler: ForwardHandlerLike,
  ctx: Pick<SetupContext<ForwardCollector>, 'state' | 'onShutdown'>,
): void {
  ctx.onShutdown(ctx.state.add(forwardHandlerSource(handler)));
}
