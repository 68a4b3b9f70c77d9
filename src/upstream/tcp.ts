// One pipelined TCP connection to an upstream (RFC 7766 6.2.1.1): many queries in flight at
// once, each under its own random ID, answers accepted in any order. Queries sent in the same
// event-loop turn leave in one write; a chunk of answers is handled in one pass.

import type { Socket } from 'node:net';
import { FrameReader } from '../dns/framing.ts';
import type { MessageLayout } from '../dns/message.ts';
import { deliver, type TransportContext } from './context.ts';
import { type Dialer, plainTcp } from './dial.ts';
import { UpstreamError } from './errors.ts';
import { answers, type Exchange, PendingTable, parseAnswer } from './exchange.ts';

export const ConnState = {
  /** Dialling; queries queue up and leave on connect. */
  CONNECTING: 'connecting',
  /** Takes new queries. */
  OPEN: 'open',
  /** Takes no new queries (a query timed out, or idle expiry); closes once empty. */
  DRAINING: 'draining',
  CLOSED: 'closed',
} as const;
export type ConnState = (typeof ConnState)[keyof typeof ConnState];

export interface ConnectionOwner {
  /**
   * The connection is gone. `orphans` were in flight; `opened` tells a failed connect (the
   * queries never left) from a connection that dropped mid-stream (they may be retried).
   */
  connectionClosed(conn: TcpConnection, orphans: Exchange[], cause: Error, opened: boolean): void;
}

export class TcpConnection {
  #state: ConnState = ConnState.CONNECTING;
  readonly #ctx: TransportContext;
  readonly #owner: ConnectionOwner;
  readonly #socket: Socket;
  // Answers get buffers of their own: the cache and dnstap may hold one past this read.
  readonly #reader = new FrameReader(65535, true);
  readonly #pending: PendingTable;
  /** Exchanges whose frames wait for the next flush. */
  readonly #queue: Exchange[] = [];
  #flushScheduled = false;
  readonly #flushBound = (): void => this.#flush();
  #connectTimer: NodeJS.Timeout | undefined;
  #opened = false;
  #cause: Error | undefined;
  /** performance.now() of the last answer, or of the moment the connection went from idle to busy. */
  #progressAt: number;
  /** performance.now() since which nothing is in flight. */
  idleSince: number;
  /**
   * An answer arrived and more are due, and we have not written since. Our kernel delays its
   * ACK; an upstream with Nagle on (knot) then holds the next answer up to 40 ms for it. A
   * query written here carries the ACK at once.
   */
  ackPending = false;

  constructor(
    ctx: TransportContext,
    owner: ConnectionOwner,
    now: number,
    dialer: Dialer = plainTcp,
  ) {
    this.#ctx = ctx;
    this.#owner = owner;
    this.#progressAt = now;
    this.idleSince = now;
    this.#pending = new PendingTable(ctx.tuning.readTimeoutMs, (ex) => this.#onTimeout(ex));
    this.#socket = dialer.dial(ctx.address, () => this.#onConnect());
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on('error', (err) => {
      this.#cause ??= err;
    });
    this.#socket.on('close', () => this.#onClose());
    this.#connectTimer = setTimeout(() => {
      const label = ctx.address.label;
      this.close(
        new UpstreamError(
          'ERR_UPSTREAM_CONNECT',
          label,
          `connect timed out after ${ctx.tuning.connectTimeoutMs} ms`,
        ),
      );
    }, ctx.tuning.connectTimeoutMs);
    this.#connectTimer.unref();
  }

  get state(): ConnState {
    return this.#state;
  }

  /** True while the connection takes new queries. */
  get usable(): boolean {
    return this.#state === ConnState.OPEN || this.#state === ConnState.CONNECTING;
  }

  get inflight(): number {
    return this.#pending.size;
  }

  /** Busy, and no answer for `stallMs`: probably stuck behind a slow query. */
  stalled(now: number): boolean {
    return this.#pending.size > 0 && now - this.#progressAt > this.#ctx.tuning.stallMs;
  }

  /** Queues `ex` (assigning its ID); its frame leaves at the end of this event-loop turn. */
  send(ex: Exchange, now: number): void {
    if (this.#pending.size === 0) this.#progressAt = now;
    this.#pending.add(ex, now);
    this.#queue.push(ex);
    if (!this.#flushScheduled && this.#state !== ConnState.CONNECTING) {
      this.#flushScheduled = true;
      setImmediate(this.#flushBound);
    }
  }

  /** Stops new queries; the connection closes when its last query finishes. */
  retire(): void {
    if (this.#state === ConnState.OPEN || this.#state === ConnState.CONNECTING)
      this.#transition(ConnState.DRAINING);
    if (this.#pending.size === 0) this.close();
  }

  /** Closes now; in-flight queries go back to the owner as orphans. */
  close(cause?: Error): void {
    if (this.#state === ConnState.CLOSED) return;
    if (cause !== undefined) this.#cause ??= cause;
    this.#socket.destroy();
  }

  #transition(next: ConnState): void {
    this.#ctx.log.debug(`tcp ${this.#ctx.address.label}: ${this.#state} -> ${next}`);
    this.#state = next;
  }

  #onConnect(): void {
    if (this.#connectTimer !== undefined) clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    this.#opened = true;
    if (this.#state === ConnState.CONNECTING) this.#transition(ConnState.OPEN);
    this.#flush();
  }

  /** Writes every queued frame whose exchange still waits here, in one write. */
  #flush(): void {
    this.#flushScheduled = false;
    const queue = this.#queue;
    if (
      queue.length === 0 ||
      this.#state === ConnState.CONNECTING ||
      this.#state === ConnState.CLOSED
    )
      return;
    if (this.#socket.destroyed) {
      queue.length = 0; // closing: the 'close' handler hands the exchanges back
      return;
    }
    const pending = this.#pending;
    let total = 0;
    for (const ex of queue) if (pending.peek(ex.id) === ex) total += ex.frame.length;
    if (total > 0) {
      // A private copy: an exchange that fails over rewrites its frame's ID, and bytes handed
      // to the socket may still be queued in Node.
      const out = Buffer.allocUnsafe(total);
      let offset = 0;
      for (const ex of queue) if (pending.peek(ex.id) === ex) offset += ex.frame.copy(out, offset);
      this.#socket.write(out);
      this.ackPending = false;
    }
    queue.length = 0;
  }

  #onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.#reader.push(chunk);
    } catch (err) {
      this.close(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const now = performance.now();
    this.#progressAt = now;
    for (const answer of frames) {
      if (answer.length < 2) continue;
      const ex = this.#pending.take(answer.readUInt16BE(0));
      if (ex === undefined) continue; // an answer we gave up on, or junk
      const layout: MessageLayout | undefined = parseAnswer(answer);
      if (layout === undefined) {
        ex.onError(
          new UpstreamError('ERR_UPSTREAM_BAD_ANSWER', this.#ctx.address.label, 'malformed answer'),
        );
      } else {
        deliver(this.#ctx, ex, answer, layout, answers(ex, answer, layout), now);
      }
    }
    if (this.#pending.size === 0) {
      this.ackPending = false;
      this.idleSince = now;
      if (this.#state === ConnState.DRAINING || this.#ctx.expireMs === 0) this.retire();
    } else {
      this.ackPending = true;
    }
  }

  #onTimeout(ex: Exchange): void {
    // Answers on this connection may now arrive late, or never (an upstream that answers in
    // order is stuck): send no more here, so a late answer can never meet a reused ID.
    if (this.#state === ConnState.OPEN || this.#state === ConnState.CONNECTING)
      this.#transition(ConnState.DRAINING);
    const label = this.#ctx.address.label;
    const what = this.#opened ? 'no answer' : 'no connection';
    ex.onError(
      new UpstreamError(
        'ERR_UPSTREAM_TIMEOUT',
        label,
        `${what} within ${this.#ctx.tuning.readTimeoutMs} ms over tcp`,
      ),
    );
    if (this.#pending.size === 0 && this.#state === ConnState.DRAINING) this.close();
  }

  #onClose(): void {
    if (this.#connectTimer !== undefined) clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    this.#transition(ConnState.CLOSED);
    this.#queue.length = 0;
    const orphans = this.#pending.drain();
    const cause = this.#cause ?? new Error('connection closed by the upstream');
    this.#owner.connectionClosed(this, orphans, cause, this.#opened);
  }
}
