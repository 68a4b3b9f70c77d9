// Long-lived connected UDP sockets to one upstream, used in turn. Answers are matched on the ID
// and the question; anything else (stray, late, spoofed or malformed datagrams) is dropped and
// the query keeps waiting until its deadline. A connected socket only receives from the
// upstream's address, and the kernel reports ICMP port-unreachable as ECONNREFUSED, which
// fails the socket's queries at once instead of at their deadline.

import { createSocket, type Socket } from 'node:dgram';
import { HEADER_LENGTH } from '../dns/constants.ts';
import { deliver, type TransportContext } from './context.ts';
import { UpstreamError } from './errors.ts';
import { answers, type Exchange, PendingTable, parseAnswer } from './exchange.ts';

class UdpSlot {
  readonly socket: Socket;
  readonly pending: PendingTable;
  #connected = false;
  readonly #waiting: Exchange[] = [];
  /** performance.now() since which nothing is in flight. */
  idleSince: number;

  constructor(ctx: TransportContext, now: number) {
    this.idleSince = now;
    const label = ctx.address.label;
    this.pending = new PendingTable(ctx.tuning.readTimeoutMs, (ex) => {
      if (this.pending.size === 0) this.idleSince = performance.now();
      ex.onError(
        new UpstreamError(
          'ERR_UPSTREAM_TIMEOUT',
          label,
          `no answer within ${ctx.tuning.readTimeoutMs} ms over udp`,
        ),
      );
    });
    this.socket = createSocket(ctx.address.family === 6 ? 'udp6' : 'udp4');
    this.socket.on('message', (msg: Buffer) => this.#onMessage(ctx, msg));
    this.socket.on('error', (err) => {
      // Not tied to one query (ICMP errors arrive on a later receive): fail all in flight.
      const error = new UpstreamError(
        'ERR_UPSTREAM_CLOSED',
        label,
        `udp socket error: ${err.message}`,
        { cause: err },
      );
      this.idleSince = performance.now();
      for (const ex of this.pending.drain()) ex.onError(error);
    });
    // Node refuses connected-style sends until connect completes; queue until then.
    this.socket.connect(ctx.address.port, ctx.address.host, () => {
      this.#connected = true;
      for (const ex of this.#waiting)
        if (this.pending.peek(ex.id) === ex) this.socket.send(ex.frame, 2, ex.frame.length - 2);
      this.#waiting.length = 0;
    });
  }

  send(ex: Exchange, now: number): void {
    this.pending.add(ex, now);
    if (this.#connected) this.socket.send(ex.frame, 2, ex.frame.length - 2);
    else this.#waiting.push(ex);
  }

  #onMessage(ctx: TransportContext, msg: Buffer): void {
    if (msg.length < HEADER_LENGTH) return;
    const ex = this.pending.peek(msg.readUInt16BE(0));
    if (ex === undefined) return;
    const layout = parseAnswer(msg);
    if (layout === undefined || !answers(ex, msg, layout)) return;
    this.pending.take(ex.id);
    const now = performance.now();
    if (this.pending.size === 0) this.idleSince = now;
    deliver(ctx, ex, msg, layout, true, now);
  }
}

export class UdpPool {
  readonly #ctx: TransportContext;
  readonly #slots: (UdpSlot | undefined)[];
  #next = 0;
  #closed = false;

  constructor(ctx: TransportContext) {
    this.#ctx = ctx;
    this.#slots = new Array<UdpSlot | undefined>(Math.max(1, ctx.tuning.udpSockets)).fill(
      undefined,
    );
  }

  /** Sends `ex`; returns false when the chosen socket is at its cap (the caller fails it). */
  send(ex: Exchange, now: number): boolean {
    if (this.#closed) return false;
    const i = this.#next;
    this.#next = (i + 1) % this.#slots.length;
    let slot = this.#slots[i];
    if (
      slot === undefined ||
      (slot.pending.size === 0 && now - slot.idleSince >= this.#ctx.expireMs)
    ) {
      // A new socket (and source port) once the old one sat idle past `expire` (CoreDNS redials).
      slot?.socket.close();
      slot = new UdpSlot(this.#ctx, now);
      this.#slots[i] = slot;
      this.#ctx.stats.connCacheMisses.udp++;
    } else {
      if (slot.pending.size >= this.#ctx.tuning.maxInflightPerSocket) return false;
      this.#ctx.stats.connCacheHits.udp++;
    }
    slot.send(ex, now);
    return true;
  }

  /** Closes sockets idle for `expireMs` or more. */
  sweep(now: number): void {
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i];
      if (
        slot !== undefined &&
        slot.pending.size === 0 &&
        now - slot.idleSince >= this.#ctx.expireMs
      ) {
        slot.socket.close();
        this.#slots[i] = undefined;
      }
    }
  }

  close(): void {
    this.#closed = true;
    const error = new UpstreamError(
      'ERR_UPSTREAM_SHUTDOWN',
      this.#ctx.address.label,
      'shutting down',
    );
    for (let i = 0; i < this.#slots.length; i++) {
      const slot = this.#slots[i];
      if (slot === undefined) continue;
      this.#slots[i] = undefined;
      slot.socket.close();
      for (const ex of slot.pending.drain()) ex.onError(error);
    }
  }
}
