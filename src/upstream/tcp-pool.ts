// The TCP connections to one upstream: an idle connection when there is one, else a new one up
// to the cap, else pipelined onto the first connection with room (a connection that looks stuck
// is passed over). Queries orphaned by a connection that dropped
// mid-stream are re-sent once on another connection, as CoreDNS retries on a closed pooled
// connection.

import type { TransportContext } from './context.ts';
import { type Dialer, plainTcp } from './dial.ts';
import { UpstreamError } from './errors.ts';
import type { Exchange } from './exchange.ts';
import { type ConnectionOwner, TcpConnection } from './tcp.ts';

/** Marker for "open a new connection". */
const NEW = Symbol('new connection');

export class TcpPool implements ConnectionOwner {
  readonly #ctx: TransportContext;
  /** Every connection not yet closed, usable or draining, oldest first. */
  readonly #conns: TcpConnection[] = [];
  readonly #dialer: Dialer;
  #closed = false;

  /** `dialer` opens each connection: plain TCP, or TLS (./tls.ts). */
  constructor(ctx: TransportContext, dialer: Dialer = plainTcp) {
    this.#ctx = ctx;
    this.#dialer = dialer;
  }

  get connections(): number {
    return this.#conns.length;
  }

  /** Sends `ex`; returns false when every connection is at its cap (the caller fails it). */
  send(ex: Exchange, now: number): boolean {
    if (this.#closed) return false;
    let conn = this.#pick(now);
    if (conn === undefined) return false;
    if (conn === NEW) {
      conn = new TcpConnection(this.#ctx, this, now, this.#dialer);
      this.#conns.push(conn);
      this.#ctx.stats.connCacheMisses[this.#dialer.proto]++;
    } else {
      this.#ctx.stats.connCacheHits[this.#dialer.proto]++;
    }
    conn.send(ex, now);
    return true;
  }

  /** Closes connections idle for `expireMs` or more. */
  sweep(now: number): void {
    for (const conn of this.#conns) {
      if (conn.inflight === 0 && now - conn.idleSince >= this.#ctx.expireMs) conn.retire();
    }
  }

  close(): void {
    this.#closed = true;
    for (const conn of [...this.#conns])
      conn.close(
        new UpstreamError('ERR_UPSTREAM_SHUTDOWN', this.#ctx.address.label, 'shutting down'),
      );
  }

  connectionClosed(conn: TcpConnection, orphans: Exchange[], cause: Error, opened: boolean): void {
    const i = this.#conns.indexOf(conn);
    if (i >= 0) this.#conns.splice(i, 1);
    if (orphans.length === 0) return;
    const label = this.#ctx.address.label;
    const error =
      cause instanceof UpstreamError
        ? cause
        : opened
          ? new UpstreamError(
              'ERR_UPSTREAM_CLOSED',
              label,
              `connection closed with the query in flight: ${cause.message}`,
              { cause },
            )
          : new UpstreamError('ERR_UPSTREAM_CONNECT', label, `connect failed: ${cause.message}`, {
              cause,
            });
    const now = performance.now();
    for (const ex of orphans) {
      // Retry once on a connection that dropped after it was open (an idle close by the
      // upstream racing our write); a failed connect or a second drop fails the query.
      if (opened && !ex.retried && !this.#closed && error.code === 'ERR_UPSTREAM_CLOSED') {
        ex.retried = true;
        if (this.send(ex, now)) continue;
      }
      ex.onError(error);
    }
  }

  /**
   * An idle connection first: one query per connection while there are few in flight, as
   * CoreDNS does. Pipelining a second query onto a busy connection makes its answer wait on an
   * upstream that answers a connection's queries in order (CoreDNS), or that has Nagle on and
   * waits for our delayed ACK of the previous answer (knot: +40 ms). Only when every connection
   * (up to the cap) is busy do queries pipeline: onto one that owes an ACK (the write carries
   * it), else the first with room, so a burst still leaves in one write.
   */
  #pick(now: number): TcpConnection | typeof NEW | undefined {
    const tuning = this.#ctx.tuning;
    let usable = 0;
    let owesAck: TcpConnection | undefined;
    let room: TcpConnection | undefined;
    let fallback: TcpConnection | undefined;
    for (const conn of this.#conns) {
      if (!conn.usable) continue;
      const inflight = conn.inflight;
      if (inflight === 0) {
        if (now - conn.idleSince >= this.#ctx.expireMs) {
          // Idle past `expire`: not reused (CoreDNS redials). Closing it is safe, it carries nothing.
          conn.retire();
          continue;
        }
        return conn;
      }
      usable++;
      if (inflight < tuning.pipelineDepth && !conn.stalled(now)) {
        room ??= conn;
        if (conn.ackPending) owesAck ??= conn;
      }
      if (
        inflight < tuning.maxInflightPerSocket &&
        (fallback === undefined || inflight < fallback.inflight)
      ) {
        fallback = conn;
      }
    }
    if (usable < tuning.maxTcpConnections) return NEW;
    return owesAck ?? room ?? fallback;
  }
}
