// Space-Saving heavy hitters (Metwally et al.): at most `capacity` counters whatever the input,
// so a flood of unique names costs bounded memory. A newcomer replaces the smallest counter and
// inherits its count as the error bound. `decay` halves every count so the top list follows
// recent traffic rather than all time.

export interface HeavyHitter {
  readonly key: string;
  /** Estimated count (an over-estimate by at most `error`). */
  readonly count: number;
  readonly error: number;
}

interface Cell {
  count: number;
  error: number;
}

export class SpaceSaving {
  readonly capacity: number;
  readonly #cells = new Map<string, Cell>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#cells.size;
  }

  add(key: string, weight = 1): void {
    const cell = this.#cells.get(key);
    if (cell !== undefined) {
      cell.count += weight;
      return;
    }
    if (this.#cells.size < this.capacity) {
      this.#cells.set(key, { count: weight, error: 0 });
      return;
    }
    // Full: evict the minimum. O(capacity), but only on the sampled path and for new keys.
    let minKey = '';
    let min: Cell | undefined;
    for (const [k, c] of this.#cells) {
      if (min === undefined || c.count < min.count) {
        min = c;
        minKey = k;
      }
    }
    if (min === undefined) return;
    this.#cells.delete(minKey);
    this.#cells.set(key, { count: min.count + weight, error: min.count });
  }

  /** Halves every count; counters that reach 0 are dropped. */
  decay(): void {
    for (const [k, c] of this.#cells) {
      c.count = Math.floor(c.count / 2);
      c.error = Math.floor(c.error / 2);
      if (c.count === 0) this.#cells.delete(k);
    }
  }

  top(n: number): HeavyHitter[] {
    return [...this.#cells]
      .map(([key, c]) => ({ key, count: c.count, error: c.error }))
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
      .slice(0, n);
  }
}
