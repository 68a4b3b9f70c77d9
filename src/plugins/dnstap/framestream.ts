// A Frame Streams writer (https://github.com/farsightsec/fstrm, bidirectional mode) for dnstap:
// READY -> ACCEPT -> START handshake, then length-prefixed data frames, STOP -> FINISH on close.
// It never blocks the query path: frames queue (bounded) while the handshake runs, leave in one
// write per event-loop turn, and are dropped and counted when the collector is absent or slow
// (more than `maxBufferedBytes` unsent). A lost connection is redialled with backoff.

import { connect, type Socket } from 'node:net';
import type { Logger } from '../../util/log.ts';

export const CONTENT_TYPE = 'protobuf:dnstap.Dnstap';

const Control = { ACCEPT: 1, START: 2, STOP: 3, READY: 4, FINISH: 5 } as const;
const FIELD_CONTENT_TYPE = 1;

export type Endpoint =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export interface FrameStreamTuning {
  /** Frames held while connecting (CoreDNS's queue: 10000). */
  readonly queueSize: number;
  /** Unsent bytes in the socket above which new frames are dropped (CoreDNS: 1 MiB buffer). */
  readonly maxBufferedBytes: number;
  /** First and largest pause before redialling (CoreDNS redials every 10 s). */
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /** Connect + handshake deadline, and the wait for FINISH on close (CoreDNS: 4 s). */
  readonly timeoutMs: number;
  /** How often a count of dropped frames is logged (CoreDNS: 10 s). */
  readonly dropReportMs: number;
}

export const DEFAULT_FRAMESTREAM_TUNING: FrameStreamTuning = {
  queueSize: 10_000,
  maxBufferedBytes: 1 << 20,
  reconnectMinMs: 500,
  reconnectMaxMs: 10_000,
  timeoutMs: 4000,
  dropReportMs: 10_000,
};

type State = 'connecting' | 'open' | 'down' | 'closed';

function controlFrame(type: number, withContentType: boolean): Buffer {
  const ct = Buffer.from(CONTENT_TYPE);
  const body = withContentType ? 4 + 8 + ct.length : 4;
  const out = Buffer.alloc(8 + body);
  out.writeUInt32BE(0, 0); // escape: a control frame follows
  out.writeUInt32BE(body, 4);
  out.writeUInt32BE(type, 8);
  if (withContentType) {
    out.writeUInt32BE(FIELD_CONTENT_TYPE, 12);
    out.writeUInt32BE(ct.length, 16);
    ct.copy(out, 20);
  }
  return out;
}

/** Control frame types read from the collector's side of the stream. */
class ControlReader {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): number[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const types: number[] = [];
    while (this.#buf.length >= 4) {
      const len = this.#buf.readUInt32BE(0);
      if (len !== 0) throw new Error('collector sent a data frame');
      if (this.#buf.length < 8) break;
      const ctrlLen = this.#buf.readUInt32BE(4);
      if (ctrlLen < 4 || ctrlLen > 512) throw new Error(`bad control frame length ${ctrlLen}`);
      if (this.#buf.length < 8 + ctrlLen) break;
      types.push(this.#buf.readUInt32BE(8));
      this.#buf = this.#buf.subarray(8 + ctrlLen);
    }
    return types;
  }
}

export class FrameStreamWriter {
  readonly #endpoint: Endpoint;
  readonly #tuning: FrameStreamTuning;
  readonly #log: Logger;
  #state: State = 'down';
  #socket: Socket | undefined;
  #queue: Buffer[] = [];
  #flushScheduled = false;
  #retryMs: number;
  #retryTimer: NodeJS.Timeout | undefined;
  readonly #dropTimer: NodeJS.Timeout;
  #droppedSinceReport = 0;
  #warnedDown = false;
  /** Frames dropped (no collector, queue full, collector too slow) and frames handed to the socket. */
  dropped = 0;
  sent = 0;

  constructor(endpoint: Endpoint, log: Logger, tuning = DEFAULT_FRAMESTREAM_TUNING) {
    this.#endpoint = endpoint;
    this.#tuning = tuning;
    this.#log = log;
    this.#retryMs = tuning.reconnectMinMs;
    this.#dropTimer = setInterval(() => this.#reportDrops(), tuning.dropReportMs);
    this.#dropTimer.unref();
  }

  get state(): State {
    return this.#state;
  }

  /** Dials the collector (CoreDNS does this on startup; a failure is logged, not fatal). */
  start(): void {
    if (this.#state === 'down' && this.#retryTimer === undefined) this.#dial();
  }

  /** Queues one data frame (a Dnstap protobuf); never throws, never waits. */
  write(payload: Buffer): void {
    const state = this.#state;
    const noRoom =
      state === 'open'
        ? (this.#socket as Socket).writableLength > this.#tuning.maxBufferedBytes
        : state !== 'connecting';
    if (noRoom || this.#queue.length >= this.#tuning.queueSize) {
      this.#drop(1);
      return;
    }
    this.#queue.push(payload);
    if (state === 'open' && !this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  /** Sends what is queued, then STOP, waits for FINISH (bounded), and closes. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    clearInterval(this.#dropTimer);
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#reportDrops();
    const socket = this.#socket;
    if (socket === undefined) return;
    if (!wasOpen) {
      socket.destroy();
      return;
    }
    this.#flush(true);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), this.#tuning.timeoutMs);
      timer.unref();
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.write(controlFrame(Control.STOP, false));
      // The collector answers FINISH (handled in #dial's data listener) and we end then.
    });
  }

  #drop(n: number): void {
    this.dropped += n;
    this.#droppedSinceReport += n;
  }

  #reportDrops(): void {
    if (this.#droppedSinceReport === 0) return;
    this.#log.warning(`Dropped dnstap messages: ${this.#droppedSinceReport}`);
    this.#droppedSinceReport = 0;
  }

  #dial(): void {
    this.#retryTimer = undefined;
    this.#state = 'connecting';
    const ep = this.#endpoint;
    const socket =
      ep.kind === 'unix' ? connect({ path: ep.path }) : connect({ host: ep.host, port: ep.port });
    this.#socket = socket;
    const reader = new ControlReader();
    let failure: Error | undefined;
    const deadline = setTimeout(() => {
      failure = new Error(`no handshake within ${this.#tuning.timeoutMs} ms`);
      socket.destroy();
    }, this.#tuning.timeoutMs);
    socket.once('connect', () => socket.write(controlFrame(Control.READY, true)));
    socket.on('data', (chunk: Buffer) => {
      let types: number[];
      try {
        types = reader.push(chunk);
      } catch (err) {
        failure = err as Error;
        socket.destroy();
        return;
      }
      for (const type of types) {
        if (type === Control.ACCEPT && this.#state === 'connecting') {
          clearTimeout(deadline);
          socket.write(controlFrame(Control.START, true));
          this.#opened();
        } else if (type === Control.FINISH) {
          socket.end();
        }
      }
    });
    socket.on('error', (err) => {
      failure ??= err;
    });
    socket.on('close', () => {
      clearTimeout(deadline);
      if (this.#socket === socket) this.#socket = undefined;
      this.#closed(failure);
    });
  }

  #opened(): void {
    this.#state = 'open';
    this.#retryMs = this.#tuning.reconnectMinMs;
    if (this.#warnedDown) this.#log.info(`connected to dnstap endpoint ${this.#describe()}`);
    this.#warnedDown = false;
    this.#flush();
  }

  #closed(failure: Error | undefined): void {
    if (this.#state === 'closed') return;
    this.#state = 'down';
    this.#drop(this.#queue.length);
    this.#queue = [];
    if (!this.#warnedDown) {
      const why = failure?.message ?? 'closed by the collector';
      this.#log.error(`No connection to dnstap endpoint ${this.#describe()}: ${why}`);
      this.#warnedDown = true;
    }
    this.#retryTimer = setTimeout(() => this.#dial(), this.#retryMs);
    this.#retryTimer.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, this.#tuning.reconnectMaxMs);
  }

  /** One write with every queued frame, each behind its 4-byte length. */
  #flush(force = false): void {
    this.#flushScheduled = false;
    const socket = this.#socket;
    const queue = this.#queue;
    if (queue.length === 0 || socket === undefined) return;
    if (this.#state !== 'open' && !force) return;
    let total = 0;
    for (const f of queue) total += 4 + f.length;
    const out = Buffer.allocUnsafe(total);
    let offset = 0;
    for (const f of queue) {
      out.writeUInt32BE(f.length, offset);
      offset += 4 + f.copy(out, offset + 4);
    }
    this.sent += queue.length;
    this.#queue = [];
    socket.write(out);
  }

  #describe(): string {
    const ep = this.#endpoint;
    return ep.kind === 'unix' ? ep.path : `tcp://${ep.host}:${ep.port}`;
  }
}
