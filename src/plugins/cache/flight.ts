// What a cache miss produces, and the small rules about it the handler (cache.ts) applies.

import type { Request, Result } from '../../chain/handler.ts';
import { Rcode } from '../../dns/constants.ts';
import { type CacheEntry, EntryKind } from './entry.ts';
import type { PeerCache } from './peer-cache.ts';

/** What one upstream fetch produced. */
export interface FetchResult {
  /** Stored (or storable) answer. */
  readonly entry?: CacheEntry;
  /** A reply that must not be cached (TC, REFUSED, mismatched…), relayed as it came. */
  readonly wire?: Buffer;
  /** The next plugin wrote nothing and returned this rcode (or expected failure). */
  readonly rcode?: Result;
  readonly error?: unknown;
  /** The entry came from the thread that owns the key (`-workers`): no upstream query. */
  readonly fromPeer?: boolean;
}

/** One key's fetch in flight; identical misses wait on it (coalescing). */
export interface PendingFetch {
  /** The first client's answer. */
  readonly flight: Promise<Result>;
  /** What the fetch produced, set before `flight` settles. */
  result: FetchResult | undefined;
  waiters: number;
}

/** The cache across threads and this store's name there (same on every thread). */
export interface SharedStore {
  readonly peers: PeerCache;
  readonly storeKey: string;
}

/**
 * Anything but a NOERROR or NXDOMAIN answer: no answer at all, an error, SERVFAIL, REFUSED.
 * With serve_stale in verify mode these fall back to the stale entry.
 */
export function isFailure(result: FetchResult): boolean {
  if (result.entry !== undefined) return result.entry.kind === EntryKind.SERVFAIL;
  if (result.wire === undefined) return true;
  const rcode = (result.wire[3] as number) & 0xf;
  return rcode !== Rcode.NOERROR && rcode !== Rcode.NXDOMAIN;
}

export function asTcp(req: Request): Request {
  return {
    query: req.query,
    transport: 'tcp',
    remoteAddress: req.remoteAddress,
    remotePort: req.remotePort,
    family: req.family,
    server: req.server,
    zone: req.zone,
    receivedAt: req.receivedAt,
    sizeLimit: 65535,
  };
}
