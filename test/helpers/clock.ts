// A clock that moves only when the test moves it: TTLs expire and snapshots age without
// waiting (pass it as AppOptions.clock, or to a component that takes a clock).

import type { Clock } from '../../src/util/clock.ts';

export class ManualClock implements Clock {
  #monotonic: number;
  #wall: number;

  /** Whole milliseconds by default, so that TTL arithmetic on it is exact. */
  constructor(start: { monotonicMs?: number; wallMs?: number } = {}) {
    this.#monotonic = start.monotonicMs ?? Math.floor(performance.now());
    this.#wall = start.wallMs ?? Date.now();
  }

  monotonicMs = (): number => this.#monotonic;
  wallMs = (): number => this.#wall;

  /** Moves both clocks forward by `ms`. */
  advance(ms: number): void {
    this.#monotonic += ms;
    this.#wall += ms;
  }
}
