// The two caches of one `cache` directive (positive and negative, each with its own capacity),
// their counters, and the lookup rules. Shared across reloads through the App's retained state.

import { type CacheEntry, EntryKind } from './entry.ts';
import type { CacheConfig } from './setup.ts';
import { SieveStore } from './sieve.ts';

/** Plain counters for metrics (coredns_cache_*), read at scrape time. */
export interface CacheStats {
  requests: number;
  hitsSuccess: number;
  hitsDenial: number;
  misses: number;
  prefetches: number;
  drops: number;
  servedStale: number;
  /** Concurrent identical misses that waited for one upstream query instead of sending their own. */
  coalesced: number;
  /** Misses answered SERVFAIL at once because too many already waited on their key's fetch. */
  waitersShed: number;
}

export class CacheStore {
  readonly positive: SieveStore;
  readonly negative: SieveStore;
  readonly stats: CacheStats = {
    requests: 0,
    hitsSuccess: 0,
    hitsDenial: 0,
    misses: 0,
    prefetches: 0,
    drops: 0,
    servedStale: 0,
    coalesced: 0,
    waitersShed: 0,
  };

  constructor(config: Pick<CacheConfig, 'success' | 'denial'>) {
    this.positive = new SieveStore(config.success.capacity);
    this.negative = new SieveStore(config.denial.capacity);
  }

  /**
   * A fresh entry for the key: negative first (as CoreDNS), except that a cached SERVFAIL does
   * not hide a fresh positive answer.
   */
  fresh(key: string, now: number): CacheEntry | undefined {
    const negative = this.negative.peek(key);
    if (negative !== undefined && negative.expiresAt > now) {
      if (negative.kind !== EntryKind.SERVFAIL) return negative;
      const positive = this.positive.peek(key);
      return positive !== undefined && positive.expiresAt > now ? positive : negative;
    }
    const positive = this.positive.peek(key);
    return positive !== undefined && positive.expiresAt > now ? positive : undefined;
  }

  /** An expired entry still inside the serve-stale window (SERVFAILs are never served stale). */
  stale(key: string, now: number, windowMs: number): CacheEntry | undefined {
    const negative = this.negative.peek(key);
    if (
      negative !== undefined &&
      negative.kind !== EntryKind.SERVFAIL &&
      negative.expiresAt + windowMs > now
    )
      return negative;
    const positive = this.positive.peek(key);
    return positive !== undefined && positive.expiresAt + windowMs > now ? positive : undefined;
  }

  /** Marks a served entry as popular for eviction. */
  touch(entry: CacheEntry): void {
    entry.visited = true;
  }

  put(entry: CacheEntry): void {
    if (entry.kind === EntryKind.POSITIVE) {
      this.positive.set(entry);
      // A positive answer replaces whatever negative one the name had (CoreDNS does this on refresh).
      this.negative.delete(entry.key);
    } else {
      this.negative.set(entry);
      if (entry.kind === EntryKind.NEGATIVE) this.positive.delete(entry.key);
    }
  }
}
