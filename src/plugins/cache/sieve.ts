// SIEVE eviction (Zhang et al., NSDI 2024): a FIFO queue plus one "visited" bit per entry and a
// hand that sweeps from the oldest end, clearing bits and evicting the first unvisited entry.
// A hit only sets a bit (no list moves, unlike LRU), so the hot path stays cheap, and popular
// names survive floods of one-off names (the ndots:5 search-path NXDOMAIN storm) far better
// than under CoreDNS's random eviction.
//
// Besides the entry count, the bytes stored are capped: an upstream can send answers of up to
// 64 KiB over TCP, so a count alone would let a flood of big answers grow a 10000-entry store
// to over 600 MiB. Past the byte cap the same sweep evicts until the new entry fits.

import type { CacheEntry } from './entry.ts';

/** Bytes one store (positive or negative) keeps at most: messages plus keys. */
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/** What an entry costs against the byte cap (the latin1 strings of its message and key). */
export function entryBytes(entry: CacheEntry): number {
  return entry.wire.length + entry.key.length;
}

export class SieveStore {
  readonly capacity: number;
  readonly maxBytes: number;
  /** Bytes stored now, as entryBytes counts them. */
  bytes = 0;
  readonly #map = new Map<string, CacheEntry>();
  #newest: CacheEntry | undefined;
  #oldest: CacheEntry | undefined;
  #hand: CacheEntry | undefined;
  evictions = 0;

  constructor(capacity: number, maxBytes = DEFAULT_MAX_BYTES) {
    this.capacity = Math.max(1, capacity);
    this.maxBytes = maxBytes;
  }

  get size(): number {
    return this.#map.size;
  }

  /** Looks up without marking the entry visited. */
  peek(key: string): CacheEntry | undefined {
    return this.#map.get(key);
  }

  /** Marks an entry as used (call on a served hit). */
  touch(entry: CacheEntry): void {
    entry.visited = true;
  }

  /**
   * Inserts or replaces; evicts first when full (one entry for the count, as many as it takes
   * for the bytes). Returns true when it evicted. An entry bigger than the whole cap is not kept.
   */
  set(entry: CacheEntry): boolean {
    const old = this.#map.get(entry.key);
    if (old !== undefined) {
      // A refresh keeps the popularity it earned.
      entry.visited = old.visited;
      this.#unlink(old);
    }
    const size = entryBytes(entry);
    if (size > this.maxBytes) return false;
    let evicted = false;
    if (old === undefined && this.#map.size >= this.capacity) {
      this.#evictOne();
      evicted = true;
    }
    while (this.bytes + size > this.maxBytes && this.#map.size > 0) {
      this.#evictOne();
      evicted = true;
    }
    this.bytes += size;
    this.#map.set(entry.key, entry);
    entry.older = this.#newest;
    entry.newer = undefined;
    if (this.#newest !== undefined) this.#newest.newer = entry;
    this.#newest = entry;
    if (this.#oldest === undefined) this.#oldest = entry;
    return evicted;
  }

  delete(key: string): boolean {
    const entry = this.#map.get(key);
    if (entry === undefined) return false;
    this.#unlink(entry);
    return true;
  }

  clear(): void {
    this.#map.clear();
    this.bytes = 0;
    this.#newest = this.#oldest = this.#hand = undefined;
  }

  /** Entries from oldest to newest (for snapshots). */
  *entries(): IterableIterator<CacheEntry> {
    for (let e = this.#oldest; e !== undefined; e = e.newer) yield e;
  }

  #evictOne(): void {
    let hand = this.#hand ?? this.#oldest;
    while (hand?.visited) {
      hand.visited = false;
      hand = hand.newer ?? this.#oldest;
    }
    if (hand === undefined) return;
    this.#hand = hand.newer;
    this.#unlink(hand);
    this.evictions++;
  }

  #unlink(entry: CacheEntry): void {
    this.#map.delete(entry.key);
    this.bytes -= entryBytes(entry);
    if (this.#hand === entry) this.#hand = entry.newer;
    if (entry.newer !== undefined) entry.newer.older = entry.older;
    else this.#newest = entry.older;
    if (entry.older !== undefined) entry.older.newer = entry.newer;
    else this.#oldest = entry.newer;
    entry.newer = entry.older = undefined;
  }
}
