// The TCP listener's limits and the counters of what they shed. Counters are plain numbers per
// server label, kept for the App's lifetime (listeners come and go with configs, the exported
// totals never go backwards) and rendered at scrape time. docs/limits.md lists every limit.

import type { ExpositionWriter } from '../metrics/exposition.ts';
import type { Collector } from '../metrics/registry.ts';

export interface TcpLimits {
  /** Open connections on one listener; past it the idlest connection of the biggest holder goes. */
  readonly maxConnections: number;
  /** Open connections from one client address; a connection beyond it is closed at once. */
  readonly maxConnectionsPerClient: number;
  /** Close a connection with nothing in flight and no partial query after this long. */
  readonly idleTimeoutMs: number;
  /**
   * Absolute deadline for one query frame, armed at its first byte (and for the first query of
   * a new connection, from accept): a client trickling bytes cannot hold a connection longer.
   */
  readonly readTimeoutMs: number;
  /** Largest query accepted; a larger length prefix closes the connection. */
  readonly maxQueryBytes: number;
  /** Stop reading from a connection while this many of its queries are unanswered. */
  readonly maxInFlightPerConnection: number;
  /** Replies queued for a client that does not read them; past it the connection is closed. */
  readonly maxWriteBacklogBytes: number;
}

/** Timeouts as CoreDNS's TCP server (3 s first query / read, 10 s idle); caps are ours. */
export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxConnections: 1024,
  maxConnectionsPerClient: 256,
  idleTimeoutMs: 10_000,
  readTimeoutMs: 3_000,
  maxQueryBytes: 16_384,
  maxInFlightPerConnection: 128,
  maxWriteBacklogBytes: 1024 * 1024,
};

/** Why the agent closed a TCP connection (the `reason` label). */
export const TCP_CLOSE_REASONS = [
  'idle',
  'read_deadline',
  'client_limit',
  'connection_limit',
  'evicted',
  'frame_too_large',
  'write_backlog',
] as const;
export type TcpCloseReason = (typeof TCP_CLOSE_REASONS)[number];

export class TcpCounters {
  open = 0;
  /** Times a connection stopped being read because maxInFlightPerConnection was reached. */
  pipelinePauses = 0;
  readonly closed: Record<TcpCloseReason, number> = {
    idle: 0,
    read_deadline: 0,
    client_limit: 0,
    connection_limit: 0,
    evicted: 0,
    frame_too_large: 0,
    write_backlog: 0,
  };
}

export const TCP_CONNECTIONS_METRIC = 'coredns_nodecache_tcp_connections';
export const TCP_CLOSED_METRIC = 'coredns_nodecache_tcp_connections_closed_total';
export const TCP_PAUSES_METRIC = 'coredns_nodecache_tcp_pipeline_pauses_total';

/** Every listener's counters by server label (`dns://host:port`), with their collector. */
export class TcpMetrics implements Collector {
  readonly #byServer = new Map<string, TcpCounters>();

  /** The counters for `server`, shared by every listener that ever served that label. */
  for(server: string): TcpCounters {
    let counters = this.#byServer.get(server);
    if (counters === undefined) {
      counters = new TcpCounters();
      this.#byServer.set(server, counters);
    }
    return counters;
  }

  collect(w: ExpositionWriter): void {
    w.family(TCP_CONNECTIONS_METRIC, 'Open DNS-over-TCP client connections.', 'gauge');
    w.family(
      TCP_CLOSED_METRIC,
      'DNS-over-TCP client connections closed by the server, by reason (idle or a limit).',
      'counter',
    );
    w.family(
      TCP_PAUSES_METRIC,
      'Times a TCP connection stopped being read because too many of its queries were unanswered.',
      'counter',
    );
    for (const [server, c] of this.#byServer) {
      w.sample(TCP_CONNECTIONS_METRIC, [['server', server]], c.open);
      for (const reason of TCP_CLOSE_REASONS)
        w.sample(
          TCP_CLOSED_METRIC,
          [
            ['reason', reason],
            ['server', server],
          ],
          c.closed[reason],
        );
      w.sample(TCP_PAUSES_METRIC, [['server', server]], c.pipelinePauses);
    }
  }
}
