// A cached answer: the upstream message as wire bytes minus its OPT record, with the offsets of
// every TTL field, so a hit is one copy plus a few patched fields (see restamp.ts).
//
// The bytes are kept in a one-byte (latin1) string rather than a Buffer: a string costs about
// 16 bytes of overhead, a Buffer with its own ArrayBuffer about 250, which was most of an
// entry's memory. Writing a latin1 string into the reply buffer is a plain copy. The TTL offsets
// are kept the same way, one character per offset: a number[] costs an array object plus its
// elements store (about 190 bytes an entry in a heap snapshot of the filled agent), a short
// string 16-20 bytes, and a one-offset string (most answers) is V8's shared single-character
// string, no allocation at all.

export const EntryKind = { POSITIVE: 0, NEGATIVE: 1, SERVFAIL: 2 } as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/** TTL offsets as CacheEntry keeps them: one UTF-16 code unit per offset. */
export function encodeTtlOffsets(offsets: readonly number[]): string {
  // Offsets are < 65536 (a DNS message is at most 65535 bytes), so each fits one code unit.
  return String.fromCharCode(...offsets);
}

export class CacheEntry {
  readonly key: string;
  /** The stored message, one character per byte. */
  readonly wire: string;
  /** Byte offset of every TTL field in `wire`, one UTF-16 code unit each (`charCodeAt(i)`). */
  readonly ttlOffsets: string;
  readonly kind: EntryKind;
  /** Monotonic ms (performance.now()) when stored. */
  readonly storedAt: number;
  /** The clamped cache duration in seconds: what the client gets on the first answer. */
  readonly ttl: number;
  /** storedAt + ttl seconds. */
  readonly expiresAt: number;
  /** Prefetch bookkeeping: hits within the prefetch window, and when the last one came. */
  hits = 0;
  lastHitAt = 0;
  /** True while a prefetch or stale refresh for this entry is in flight. */
  refreshing = false;
  // SIEVE list links and the visited bit (sieve.ts).
  newer: CacheEntry | undefined = undefined;
  older: CacheEntry | undefined = undefined;
  visited = false;

  /** `ttlOffsets` as encodeTtlOffsets makes it. */
  constructor(
    key: string,
    wire: string,
    ttlOffsets: string,
    kind: EntryKind,
    storedAt: number,
    ttl: number,
  ) {
    this.key = key;
    this.wire = wire;
    this.ttlOffsets = ttlOffsets;
    this.kind = kind;
    this.storedAt = storedAt;
    this.ttl = ttl;
    this.expiresAt = storedAt + ttl * 1000;
  }

  /** Whole seconds left, as CoreDNS counts them: ttl − floor(elapsed); ≤ 0 once expired. */
  remaining(now: number): number {
    return this.ttl - Math.floor((now - this.storedAt) / 1000);
  }
}
