// One query in flight to one upstream, as the transports see it, and the table that holds the
// in-flight queries of one socket: keyed by the message ID we sent, with read deadlines.
//
// Every entry of a table gets the same timeout, so insertion order is deadline order and the
// sweep only ever looks at the head of the Map. One timer per table, re-armed once per firing,
// replaces a timer per query.

import { Flag } from '../dns/constants.ts';
import { type MessageLayout, sameQuestion, walkMessage } from '../dns/message.ts';
import { freshId } from './ids.ts';

/**
 * A query the transports can carry. The forward plugin's per-query state implements it, so a
 * cache miss allocates one object for both roles.
 */
export interface Exchange {
  /**
   * The query framed for TCP: two length bytes, then the message (UDP sends from byte 2; no
   * subarray is kept, one object less per query in flight). Bytes 2-3 (the ID) are ours to
   * overwrite.
   */
  readonly frame: Buffer;
  /** Offset just past the question name, counted from the message's start (frame byte 2). */
  readonly qnameEnd: number;
  /** Transport bookkeeping: the ID sent, the read deadline (performance.now() ms). */
  id: number;
  deadline: number;
  /** Set once the query was re-sent after its connection closed; it is not re-sent twice. */
  retried: boolean;
  /**
   * A parsed answer carrying our ID. `matches` is false when it is not a response to this
   * question (QR=0, QDCOUNT≠1, other name/type/class). The answer bytes are the callee's.
   */
  onAnswer(answer: Buffer, layout: MessageLayout, matches: boolean): void;
  onError(err: Error): void;
}

/** Parses an answer; undefined when it is not a DNS message at all. */
export function parseAnswer(answer: Buffer): MessageLayout | undefined {
  try {
    return walkMessage(answer);
  } catch {
    return undefined;
  }
}

/** True when `layout` (of `answer`) is a response to the exchange's question. */
export function answers(ex: Exchange, answer: Buffer, layout: MessageLayout): boolean {
  return (
    (layout.flags & Flag.QR) !== 0 &&
    layout.qdcount === 1 &&
    sameQuestion(answer, layout.qnameEnd, ex.frame, ex.qnameEnd, 2)
  );
}

export class PendingTable {
  readonly #map = new Map<number, Exchange>();
  readonly #timeoutMs: number;
  readonly #onTimeout: (ex: Exchange) => void;
  readonly #sweepBound = (): void => this.#sweep();
  #timer: NodeJS.Timeout | undefined;

  /** `onTimeout` gets each exchange whose deadline passed, already removed from the table. */
  constructor(timeoutMs: number, onTimeout: (ex: Exchange) => void) {
    this.#timeoutMs = timeoutMs;
    this.#onTimeout = onTimeout;
  }

  get size(): number {
    return this.#map.size;
  }

  /** Registers `ex` under a fresh random ID, which it also writes into the frame. */
  add(ex: Exchange, now: number): void {
    const id = freshId(this.#map);
    ex.id = id;
    ex.deadline = now + this.#timeoutMs;
    ex.frame.writeUInt16BE(id, 2);
    this.#map.set(id, ex);
    if (this.#timer === undefined) this.#arm(this.#timeoutMs);
  }

  /** Removes and returns the exchange waiting for `id`. */
  take(id: number): Exchange | undefined {
    const ex = this.#map.get(id);
    if (ex !== undefined) this.#map.delete(id);
    return ex;
  }

  /** The exchange waiting for `id`, left in place. */
  peek(id: number): Exchange | undefined {
    return this.#map.get(id);
  }

  /** Removes and returns everything, oldest first; stops the timer. */
  drain(): Exchange[] {
    const all = [...this.#map.values()];
    this.#map.clear();
    this.#disarm();
    return all;
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(this.#sweepBound, Math.max(1, Math.ceil(delayMs)));
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    this.#timer = undefined;
    const now = performance.now();
    let expired: Exchange[] | undefined;
    for (const [id, ex] of this.#map) {
      if (ex.deadline > now) {
        this.#arm(ex.deadline - now);
        break;
      }
      this.#map.delete(id);
      if (expired === undefined) expired = [ex];
      else expired.push(ex);
    }
    // Callbacks run last: they may add to this table again (a retry on the same socket).
    if (expired !== undefined) for (const ex of expired) this.#onTimeout(ex);
  }
}
