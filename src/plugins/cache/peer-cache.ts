// The cache across threads (`-workers N`): every key has one owner thread, chosen by a hash of
// the key, so a name is fetched upstream once for the whole process, not once per thread.
//   - A thread that misses a key it does not own asks the owner: the owner answers from its
//     store, or makes the asker wait for the fetch some thread already runs for the key, or
//     grants the asker a lease: the asker fetches and sends the entry back (`put`), which also
//     answers every thread waiting on the lease. The asker keeps a copy: its next hit is local.
//   - The owner's own misses take a lease the same way, so askers wait on its fetch.
// A lease that is not returned in LEASE_MS (a slow upstream, a thread that died) lets its
// waiters fetch for themselves. Anything that fails here falls back to fetching alone: the
// channel is an optimisation, never a dependency of an answer.

import type { PeerChannel } from '../../chain/app-scope.ts';
import { CacheEntry, type EntryKind } from './entry.ts';
import type { CacheStore } from './store.ts';

/** How long waiters wait on one thread's fetch before they fetch themselves. */
const LEASE_MS = 3000;
/** Bound on an answer from the owner (it answers at once or when a lease ends). */
const LOOKUP_TIMEOUT_MS = LEASE_MS + 1000;

/** An entry as it crosses threads: the stored bytes, and its age (clocks differ per thread). */
export interface SharedEntry {
  readonly wire: string;
  readonly ttlOffsets: string;
  readonly kind: EntryKind;
  readonly ttl: number;
  readonly ageMs: number;
}

type Ask =
  | { readonly op: 'get'; readonly store: string; readonly key: string }
  | {
      readonly op: 'put';
      readonly store: string;
      readonly key: string;
      readonly entry: SharedEntry;
    }
  | { readonly op: 'release'; readonly store: string; readonly key: string };

export interface Lookup {
  /** The owner had it, or a fetch it waited on stored it. */
  readonly entry?: SharedEntry;
  /** This thread fetches for everyone: send the result back (publish) or release. */
  readonly lease: boolean;
}

interface Lease {
  readonly done: Promise<SharedEntry | undefined>;
  end(entry: SharedEntry | undefined): void;
}

export function share(entry: CacheEntry, now: number): SharedEntry {
  return {
    wire: entry.wire,
    ttlOffsets: entry.ttlOffsets,
    kind: entry.kind,
    ttl: entry.ttl,
    ageMs: now - entry.storedAt,
  };
}

export function unshare(key: string, shared: SharedEntry, now: number): CacheEntry {
  return new CacheEntry(
    key,
    shared.wire,
    shared.ttlOffsets,
    shared.kind,
    now - shared.ageMs,
    shared.ttl,
  );
}

/** FNV-1a over the key's one-byte characters. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class PeerCache {
  readonly #peers: PeerChannel;
  /** Each store with the clock its handler reads (ages are measured on it). */
  readonly #stores = new Map<
    string,
    { readonly store: CacheStore; readonly now: () => number; refs: number }
  >();
  /** Fetches running for keys this thread owns, by `store\nkey`. */
  readonly #leases = new Map<string, Lease>();

  constructor(peers: PeerChannel) {
    this.#peers = peers;
    peers.answer((body) => this.#answer(body as Ask));
  }

  /** More than one thread serves: keys have owners. */
  get active(): boolean {
    return this.#peers.count > 1;
  }

  owns(key: string): boolean {
    return hashKey(key) % this.#peers.count === this.#peers.self;
  }

  /**
   * The store other threads reach under `storeKey` (the same on every thread). A reload that
   * keeps the store registers it again before the old config lets go: counted, not replaced.
   */
  register(storeKey: string, store: CacheStore, now: () => number): () => void {
    const held = this.#stores.get(storeKey);
    if (held?.store === store) held.refs++;
    else this.#stores.set(storeKey, { store, now, refs: 1 });
    let done = false;
    return () => {
      const slot = this.#stores.get(storeKey);
      if (done || slot?.store !== store) return;
      done = true;
      if (--slot.refs === 0) this.#stores.delete(storeKey);
    };
  }

  // --- a key another thread owns ---

  /** Asks the owner of `key`; never rejects (a failure means: fetch alone). */
  async lookup(storeKey: string, key: string): Promise<Lookup> {
    const owner = hashKey(key) % this.#peers.count;
    if (!this.#peers.connected(owner)) return { lease: false };
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('owner did not answer')), LOOKUP_TIMEOUT_MS);
      });
      const ask: Ask = { op: 'get', store: storeKey, key };
      return (await Promise.race([this.#peers.ask(owner, ask), timeout])) as Lookup;
    } catch {
      return { lease: false };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Hands a stored entry to its owner (which also ends the lease on it, if any). */
  publish(storeKey: string, entry: CacheEntry): void {
    const owner = hashKey(entry.key) % this.#peers.count;
    const slot = this.#stores.get(storeKey);
    if (owner === this.#peers.self || !this.#peers.connected(owner) || slot === undefined) return;
    const ask: Ask = {
      op: 'put',
      store: storeKey,
      key: entry.key,
      entry: share(entry, slot.now()),
    };
    this.#peers.ask(owner, ask).catch(() => {});
  }

  /** The lease's fetch stored nothing: waiters fetch for themselves. */
  release(storeKey: string, key: string): void {
    const owner = hashKey(key) % this.#peers.count;
    if (!this.#peers.connected(owner)) return;
    const ask: Ask = { op: 'release', store: storeKey, key };
    this.#peers.ask(owner, ask).catch(() => {});
  }

  // --- a key this thread owns ---

  /** A fetch another thread runs for a key this thread owns, if one runs. */
  running(storeKey: string, key: string): Promise<SharedEntry | undefined> | undefined {
    return this.#leases.get(`${storeKey}\n${key}`)?.done;
  }

  /** Takes the lease on an owned key; the returned function ends it with what was stored. */
  lease(storeKey: string, key: string): (entry: CacheEntry | undefined) => void {
    const lease = this.#openLease(`${storeKey}\n${key}`);
    const now = this.#stores.get(storeKey)?.now ?? (() => performance.now());
    return (entry) => lease.end(entry === undefined ? undefined : share(entry, now()));
  }

  #openLease(id: string): Lease {
    let end: (entry: SharedEntry | undefined) => void = () => {};
    const done = new Promise<SharedEntry | undefined>((resolve) => {
      const timer = setTimeout(() => end(undefined), LEASE_MS);
      end = (entry) => {
        clearTimeout(timer);
        if (this.#leases.get(id) === lease) this.#leases.delete(id);
        resolve(entry);
      };
    });
    const lease: Lease = { done, end: (entry) => end(entry) };
    this.#leases.set(id, lease);
    return lease;
  }

  async #answer(ask: Ask): Promise<Lookup | undefined> {
    const slot = this.#stores.get(ask.store);
    const id = `${ask.store}\n${ask.key}`;
    if (ask.op === 'release') {
      this.#leases.get(id)?.end(undefined);
      return undefined;
    }
    if (ask.op === 'put') {
      if (slot !== undefined) slot.store.put(unshare(ask.key, ask.entry, slot.now()));
      this.#leases.get(id)?.end(ask.entry);
      return undefined;
    }
    // A store this thread does not have (a reload in between): the asker fetches alone.
    if (slot === undefined) return { lease: false };
    const now = slot.now();
    const fresh = slot.store.fresh(ask.key, now);
    if (fresh !== undefined) {
      slot.store.touch(fresh);
      return { entry: share(fresh, now), lease: false };
    }
    const running = this.#leases.get(id);
    if (running !== undefined) {
      const entry = await running.done;
      return entry === undefined ? { lease: false } : { entry, lease: false };
    }
    this.#openLease(id);
    return { lease: true };
  }
}
