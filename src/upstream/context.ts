// Settings and shared state that every transport of one upstream sees.

import type { MessageLayout } from '../dns/message.ts';
import type { Logger } from '../util/log.ts';
import type { UpstreamAddress } from './address.ts';
import type { Exchange } from './exchange.ts';
import type { UpstreamStats } from './stats.ts';

/** Transport limits that are not Corefile options. Times in milliseconds. */
export interface UpstreamTuning {
  /** Time from sending a query to its answer (CoreDNS: fixed 2 s read deadline). */
  readonly readTimeoutMs: number;
  /** Time a TCP connect may take before the connection and its queries fail. */
  readonly connectTimeoutMs: number;
  /** TCP connections per upstream that take new queries (draining ones not counted). */
  readonly maxTcpConnections: number;
  /** In-flight queries on a TCP connection before another connection is opened. */
  readonly pipelineDepth: number;
  /** Hard cap of in-flight queries on one TCP connection or UDP socket. */
  readonly maxInflightPerSocket: number;
  /**
   * A TCP connection with queries in flight and no answer for this long takes no new queries
   * while another connection can (upstreams like CoreDNS answer a connection's queries in order).
   */
  readonly stallMs: number;
  /** UDP sockets per upstream, used in turn. */
  readonly udpSockets: number;
  /** Health-check probe timeout (CoreDNS: 1 s read/write). */
  readonly probeTimeoutMs: number;
}

export const DEFAULT_TUNING: UpstreamTuning = {
  readTimeoutMs: 2000,
  connectTimeoutMs: 2000,
  maxTcpConnections: 16,
  pipelineDepth: 64,
  maxInflightPerSocket: 1024,
  stallMs: 50,
  udpSockets: 4,
  probeTimeoutMs: 1000,
};

export interface TransportContext {
  readonly address: UpstreamAddress;
  readonly stats: UpstreamStats;
  readonly tuning: UpstreamTuning;
  /** Idle time after which a connection or socket is closed; 0 closes it as soon as it is idle. */
  readonly expireMs: number;
  readonly log: Logger;
}

/** Counts an answer, records its duration, and hands it to the exchange. */
export function deliver(
  ctx: TransportContext,
  ex: Exchange,
  answer: Buffer,
  layout: MessageLayout,
  matches: boolean,
  now: number,
): void {
  const stats = ctx.stats;
  stats.countResponse(layout.extendedRcode);
  if (stats.onDuration !== undefined) {
    const sentAt = ex.deadline - ctx.tuning.readTimeoutMs;
    stats.onDuration(ctx.address.label, layout.extendedRcode, (now - sentAt) / 1000);
  }
  ex.onAnswer(answer, layout, matches);
}
