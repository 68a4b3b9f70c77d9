// One DNS-over-TCP client connection: frames in, pipelined replies out (RFC 7766), and the
// per-connection limits. One timer per connection holds whichever deadline applies now: the
// read deadline of the frame being received (absolute, armed at its first byte, so trickling
// does not extend it), or the idle timeout once nothing is pending.

import type { Socket } from 'node:net';
import { FrameReader, FrameTooLargeError } from '../dns/framing.ts';
import type { Logger } from '../util/log.ts';
import type { DnsServer } from './dns-server.ts';
import type { TcpCloseReason, TcpCounters, TcpLimits } from './tcp-limits.ts';

export class TcpConnection {
  readonly socket: Socket;
  readonly address: string;
  /** performance.now() of the last complete query (or of accept): the eviction order. */
  lastQueryAt: number;
  #inFlight = 0;
  #paused = false;
  #timer: NodeJS.Timeout | undefined;
  #timerReason: TcpCloseReason | undefined;
  readonly #reader: FrameReader;
  readonly #limits: TcpLimits;
  readonly #counters: TcpCounters;
  readonly #log: Logger;

  constructor(
    socket: Socket,
    server: () => DnsServer,
    limits: TcpLimits,
    counters: TcpCounters,
    log: Logger,
  ) {
    this.socket = socket;
    this.address = socket.remoteAddress ?? '';
    this.lastQueryAt = performance.now();
    this.#limits = limits;
    this.#counters = counters;
    this.#log = log;
    this.#reader = new FrameReader(limits.maxQueryBytes);
    const family = socket.remoteFamily === 'IPv6' ? 2 : 1;
    const remotePort = socket.remotePort ?? 0;
    const send = (wire: Buffer): void => this.#reply(wire);
    // As CoreDNS: the first query must arrive within the read timeout.
    this.#arm(limits.readTimeoutMs, 'idle');
    socket.on('data', (chunk: Buffer) => {
      const hadPartial = this.#reader.hasPartial;
      let frames: Buffer[];
      try {
        frames = this.#reader.push(chunk);
      } catch (err) {
        if (!(err instanceof FrameTooLargeError)) throw err;
        this.#log.debug(`tcp ${this.address}: ${err.message}`);
        this.close('frame_too_large');
        return;
      }
      if (frames.length > 0) this.lastQueryAt = performance.now();
      for (const frame of frames) {
        this.#inFlight++;
        if (!server().handle(frame, 'tcp', this.address, remotePort, family, send))
          this.#inFlight--;
        if (socket.destroyed) return;
      }
      if (this.#inFlight >= limits.maxInFlightPerConnection && !this.#paused) {
        this.#paused = true;
        this.#counters.pipelinePauses++;
        socket.pause();
      }
      const frameStarted = this.#reader.hasPartial && (!hadPartial || frames.length > 0);
      this.#rearm(frameStarted);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => clearTimeout(this.#timer));
  }

  /** True when no query of this connection is being answered (it may be evicted). */
  get idle(): boolean {
    return this.#inFlight === 0;
  }

  /** Closes the connection because of `reason`, counted once. */
  close(reason: TcpCloseReason): void {
    if (this.socket.destroyed) return;
    this.#counters.closed[reason]++;
    this.socket.destroy();
  }

  #reply(wire: Buffer): void {
    this.#inFlight--;
    const socket = this.socket;
    if (socket.destroyed) return;
    const header = Buffer.allocUnsafe(2);
    header.writeUInt16BE(wire.length, 0);
    socket.cork();
    socket.write(header);
    socket.write(wire);
    process.nextTick(() => socket.uncork());
    if (socket.writableLength > this.#limits.maxWriteBacklogBytes) {
      this.close('write_backlog');
      return;
    }
    let resumed = false;
    if (this.#paused && this.#inFlight < this.#limits.maxInFlightPerConnection) {
      this.#paused = false;
      resumed = true;
      socket.resume();
    }
    // A frame left waiting while reads were paused gets a fresh deadline: the wait was ours.
    this.#rearm(resumed);
  }

  /** Picks the deadline for the current state; `frameStarted` restarts the read deadline. */
  #rearm(frameStarted: boolean): void {
    if (this.#paused) {
      this.#disarm();
    } else if (this.#reader.hasPartial) {
      if (frameStarted || this.#timerReason !== 'read_deadline')
        this.#arm(this.#limits.readTimeoutMs, 'read_deadline');
    } else if (this.#inFlight === 0) {
      this.#arm(this.#limits.idleTimeoutMs, 'idle');
    } else {
      this.#disarm(); // answers are on their way; the last one arms the idle timeout
    }
  }

  #arm(ms: number, reason: TcpCloseReason): void {
    clearTimeout(this.#timer);
    this.#timerReason = reason;
    this.#timer = setTimeout(() => this.close(reason), ms);
    this.#timer.unref();
  }

  #disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerReason = undefined;
  }
}
