// Plain-number counters for one upstream. The metrics code renders them at scrape time under
// CoreDNS's names (see src/plugins/forward/metrics.ts); nothing here knows about Prometheus.

export type Proto = 'udp' | 'tcp' | 'tcp-tls';

/** Called after each successful exchange: seconds from sending (connect included) to the answer. */
export type DurationHook = (to: string, rcode: number, seconds: number) => void;

export class UpstreamStats {
  /** Exchanges started (each attempt, retries over TCP after TC included). */
  requests = 0;
  /** Answers received, by full (extended) rcode. */
  readonly responses = new Map<number, number>();
  /** A query went out on a connection or socket that already existed. */
  readonly connCacheHits: Record<Proto, number> = { udp: 0, tcp: 0, 'tcp-tls': 0 };
  /** A query needed a new connection or socket. */
  readonly connCacheMisses: Record<Proto, number> = { udp: 0, tcp: 0, 'tcp-tls': 0 };
  /** Failed health-check probes. */
  healthcheckFailures = 0;
  /** Optional histogram hook (coredns_proxy_request_duration_seconds). */
  onDuration: DurationHook | undefined = undefined;

  countResponse(rcode: number): void {
    this.responses.set(rcode, (this.responses.get(rcode) ?? 0) + 1);
  }
}
