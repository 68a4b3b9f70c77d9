// One upstream server: its TCP and UDP transports, its health, its counters. This is the API the
// forward plugin uses; it knows nothing about plugins or the chain.

import type { Logger } from '../util/log.ts';
import type { UpstreamAddress } from './address.ts';
import { DEFAULT_TUNING, type TransportContext, type UpstreamTuning } from './context.ts';
import type { Dialer } from './dial.ts';
import { UpstreamError } from './errors.ts';
import type { Exchange } from './exchange.ts';
import { HealthChecker, type HealthOptions } from './health.ts';
import { UpstreamStats } from './stats.ts';
import { TcpPool } from './tcp-pool.ts';
import { UdpPool } from './udp.ts';

export interface UpstreamOptions {
  /** Idle time after which a pooled connection is not reused (CoreDNS `expire`, default 10 s). */
  readonly expireMs: number;
  readonly health: HealthOptions;
  readonly tuning?: UpstreamTuning;
  /**
   * A stream-only transport (DNS over TLS): every exchange and health probe goes over
   * connections this dialer opens, never UDP. Absent: UDP, or TCP when asked.
   */
  readonly streamDialer?: Dialer;
}

/** CoreDNS sweeps idle connections every 10 s whatever `expire` is. */
const MAX_SWEEP_INTERVAL_MS = 10_000;

export class Upstream {
  readonly address: UpstreamAddress;
  readonly stats = new UpstreamStats();
  readonly #ctx: TransportContext;
  readonly #tcp: TcpPool;
  readonly #udp: UdpPool;
  readonly #health: HealthChecker;
  readonly #streamOnly: boolean;
  readonly #sweeper: NodeJS.Timeout;
  #closed = false;

  constructor(address: UpstreamAddress, options: UpstreamOptions, log: Logger) {
    this.address = address;
    const tuning = options.tuning ?? DEFAULT_TUNING;
    this.#ctx = { address, stats: this.stats, tuning, expireMs: options.expireMs, log };
    const dialer = options.streamDialer;
    this.#streamOnly = dialer !== undefined;
    this.#tcp = new TcpPool(this.#ctx, dialer);
    this.#udp = new UdpPool(this.#ctx);
    this.#health = new HealthChecker(
      this.#ctx,
      dialer === undefined ? options.health : { ...options.health, overTcp: true, dialer },
    );
    const every = Math.min(Math.max(options.expireMs, 100), MAX_SWEEP_INTERVAL_MS);
    this.#sweeper = setInterval(() => this.#sweep(), every);
    this.#sweeper.unref();
  }

  /** `IP:port`, the `to` label. */
  get label(): string {
    return this.address.label;
  }

  /** True while failed health checks exceed max_fails. */
  get down(): boolean {
    return this.#health.down;
  }

  /** Consecutive failed health checks. */
  get fails(): number {
    return this.#health.fails;
  }

  /** Open TCP connections (for tests and debugging). */
  get tcpConnections(): number {
    return this.#tcp.connections;
  }

  /**
   * Sends `ex` over TCP or UDP. Exactly one of `ex.onAnswer`/`ex.onError` follows, never
   * synchronously, so a caller that retries on error cannot recurse or spin the event loop.
   */
  exchange(ex: Exchange, tcpAsked: boolean): void {
    const overTcp = tcpAsked || this.#streamOnly;
    this.stats.requests++;
    ex.retried = false;
    const now = performance.now();
    let sent = false;
    let thrown: unknown;
    try {
      sent = !this.#closed && (overTcp ? this.#tcp.send(ex, now) : this.#udp.send(ex, now));
    } catch (err) {
      thrown = err; // a socket call that threw synchronously; reported like any I/O error
    }
    if (!sent) {
      const error = this.#closed
        ? new UpstreamError('ERR_UPSTREAM_SHUTDOWN', this.label, 'upstream is shut down')
        : thrown !== undefined
          ? new UpstreamError('ERR_UPSTREAM_CLOSED', this.label, `send failed: ${String(thrown)}`, {
              cause: thrown,
            })
          : new UpstreamError(
              'ERR_UPSTREAM_BUSY',
              this.label,
              `every ${overTcp ? 'connection' : 'socket'} is at its in-flight cap`,
            );
      setImmediate(() => ex.onError(error));
    }
  }

  /** Starts the health-check loop if it is not running (after a failed exchange). */
  healthcheck(): void {
    if (!this.#closed) this.#health.trigger();
  }

  /** Closes every socket; in-flight exchanges fail with ERR_UPSTREAM_SHUTDOWN. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    this.#health.stop();
    this.#tcp.close();
    this.#udp.close();
  }

  #sweep(): void {
    const now = performance.now();
    this.#tcp.sweep(now);
    this.#udp.sweep(now);
  }
}
