// The cache handler. A hit is synchronous: lookup by the key the scan already built, one copy,
// a few patched fields, no promise. A miss asks the next plugin once per key however many
// clients ask at the same time, stores what may be stored and answers every waiter from it.

import {
  type Handler,
  type Outcome,
  PluginFailure,
  type Request,
  type ResponseWriter,
  type Result,
} from '../../chain/handler.ts';
import { Flag, Rcode } from '../../dns/constants.ts';
import { sameQuestion, walkMessage } from '../../dns/message.ts';
import { isSubdomain, readName } from '../../dns/name.ts';
import { SYSTEM_CLOCK } from '../../util/clock.ts';
import { CaptureWriter } from './capture-writer.ts';
import { disabledFor, planEntry, typify } from './classify.ts';
import { type CacheEntry, EntryKind } from './entry.ts';
import {
  asTcp,
  type FetchResult,
  isFailure,
  type PendingFetch,
  type SharedStore,
} from './flight.ts';
import { restamp } from './restamp.ts';
import type { CacheConfig } from './setup.ts';
import { fetchAcrossThreads } from './shared-fetch.ts';
import type { CacheStore } from './store.ts';
import { makeEntry } from './store-entry.ts';

/**
 * Misses that may wait on one key's fetch. A flood of one name while the upstream is slow would
 * otherwise queue every query (a request and a closure each) for the whole upstream window.
 */
export const MAX_WAITERS_PER_KEY = 1024;

export class CacheHandler implements Handler {
  readonly name = 'cache';
  readonly #next: Handler;
  readonly #config: CacheConfig;
  readonly #store: CacheStore;
  readonly #everyZone: boolean;
  readonly #pending = new Map<string, PendingFetch>();
  /** Monotonic clock in ms; injectable for tests. */
  readonly #now: () => number;
  /** The clock is the one the server stamps `receivedAt` with: a hit reads no clock of its own. */
  readonly #arrivalIsNow: boolean;
  readonly #shared: SharedStore | undefined;

  constructor(
    next: Handler,
    config: CacheConfig,
    store: CacheStore,
    blockZones: readonly string[],
    now: () => number = SYSTEM_CLOCK.monotonicMs,
    shared?: SharedStore,
  ) {
    this.#shared = shared?.peers.active === true ? shared : undefined;
    this.#next = next;
    this.#config = config;
    this.#store = store;
    this.#now = now;
    this.#arrivalIsNow = now === SYSTEM_CLOCK.monotonicMs;
    // When the cache covers every zone of its block, the per-query zone test is skipped.
    this.#everyZone =
      config.zones.includes('.') ||
      blockZones.every((z) => config.zones.some((c) => isSubdomain(z, c)));
  }

  serveDNS(req: Request, w: ResponseWriter): Outcome {
    const q = req.query;
    if (!this.#everyZone && !this.#inZones(req)) return this.#next.serveDNS(req, w);
    const store = this.#store;
    store.stats.requests++;
    const now = this.#arrivalIsNow ? req.receivedAt : this.#now();
    const entry = store.fresh(q.key, now);
    // Under serve_stale a cached SERVFAIL does not hide an older good answer.
    if (
      entry !== undefined &&
      !(
        entry.kind === EntryKind.SERVFAIL &&
        this.#config.serveStaleMs > 0 &&
        store.stale(q.key, now, this.#config.serveStaleMs) !== undefined
      )
    ) {
      store.touch(entry);
      if (entry.kind === EntryKind.POSITIVE) store.stats.hitsSuccess++;
      else store.stats.hitsDenial++;
      const remaining = entry.remaining(now);
      w.write(restamp(entry, q, this.#config.keepTtl ? entry.ttl : remaining), 'cache');
      if (this.#config.prefetch.amount > 0) this.#maybePrefetch(entry, req, now, remaining);
      return Rcode.NOERROR;
    }
    if (this.#config.serveStaleMs > 0) {
      const stale = store.stale(q.key, now, this.#config.serveStaleMs);
      if (stale !== undefined) return this.#serveStale(stale, req, w);
    }
    store.stats.misses++;
    return this.#miss(req, w, undefined);
  }

  #inZones(req: Request): boolean {
    const name = readName(req.query.wire, 12).toLowerCase();
    return this.#config.zones.some((zone) => isSubdomain(name, zone));
  }

  #miss(req: Request, w: ResponseWriter, stale: CacheEntry | undefined): Outcome {
    const key = req.query.key;
    const pending = this.#pending.get(key);
    if (pending !== undefined) {
      if (pending.waiters >= MAX_WAITERS_PER_KEY) {
        this.#store.stats.waitersShed++;
        if (stale !== undefined) return this.#writeStale(stale, req, w);
        return new PluginFailure(
          'cache',
          Rcode.SERVFAIL,
          `${MAX_WAITERS_PER_KEY} queries already wait for this name's upstream answer`,
        );
      }
      pending.waiters++;
      this.#store.stats.coalesced++;
      // The flight is the first client's answer; it rejects when that client's fetch failed,
      // and either way the fetch's result is on the entry by then.
      const settled = (): Outcome =>
        this.#answerWaiter(pending.result as FetchResult, req, w, stale);
      return pending.flight.then(settled, settled);
    }
    // The callbacks below run after `fetch` is made (a promise settles on a later turn).
    let flight: Promise<Result>;
    if (this.#shared !== undefined) {
      const across = fetchAcrossThreads(this.#shared, this.#store, key, this.#now, () =>
        this.#fetch(req),
      );
      flight = across.then((result) => this.#settle(fetch, key, result, req, w, stale));
    } else {
      // One promise step from the next plugin's answer to this client's reply: store, unblock
      // the waiters, answer. Every step kept per miss in flight is garbage for the collector.
      const capture = new CaptureWriter();
      let outcome: Outcome;
      try {
        outcome = this.#next.serveDNS(req, capture);
      } catch (error) {
        return this.#answer({ error }, req, w, stale, true);
      }
      if (!(outcome instanceof Promise))
        return this.#answer(this.#stored(req, capture, outcome), req, w, stale, true);
      flight = outcome.then(
        (rcode) => this.#settle(fetch, key, this.#stored(req, capture, rcode), req, w, stale),
        (error: unknown) => this.#settle(fetch, key, { error }, req, w, stale),
      );
    }
    const fetch: PendingFetch = { flight, result: undefined, waiters: 0 };
    this.#pending.set(key, fetch);
    return flight;
  }

  /** The fetch for `key` is done: waiters may read its result; the first client is answered. */
  #settle(
    fetch: PendingFetch,
    key: string,
    result: FetchResult,
    req: Request,
    w: ResponseWriter,
    stale: CacheEntry | undefined,
  ): Result {
    fetch.result = result;
    // Cleared on every path, so a failed fetch never leaves later misses waiting on it.
    if (this.#pending.get(key) === fetch) this.#pending.delete(key);
    if (result.fromPeer === true) this.#countPeerHit(result.entry);
    return this.#answer(result, req, w, stale, true);
  }

  /** A miss here that the owner thread answered is a hit of the process's cache. */
  #countPeerHit(entry: CacheEntry | undefined): void {
    const stats = this.#store.stats;
    stats.misses--;
    if (entry?.kind === EntryKind.POSITIVE) stats.hitsSuccess++;
    else stats.hitsDenial++;
  }

  /** Asks the next plugin, captures its reply and stores it when allowed. Never rejects. */
  #fetch(req: Request): Promise<FetchResult> {
    const capture = new CaptureWriter();
    let outcome: Outcome;
    try {
      outcome = this.#next.serveDNS(req, capture);
    } catch (error) {
      return Promise.resolve({ error });
    }
    return Promise.resolve(outcome).then(
      (rcode) => this.#stored(req, capture, rcode),
      (error: unknown) => ({ error }),
    );
  }

  #stored(req: Request, capture: CaptureWriter, rcode: Result): FetchResult {
    try {
      return this.#storeReply(req, capture, rcode);
    } catch (error) {
      return { error }; // storing failed (a bug): this query fails, the next one retries
    }
  }

  #storeReply(req: Request, capture: CaptureWriter, rcode: Result): FetchResult {
    const wire = capture.reply;
    if (wire === undefined) return { rcode };
    const q = req.query;
    let layout = capture.layout;
    if (layout === undefined) {
      try {
        layout = walkMessage(wire);
      } catch {
        return { wire };
      }
    }
    if (
      layout.qdcount !== 1 ||
      (layout.flags & Flag.QR) === 0 ||
      !sameQuestion(wire, layout.qnameEnd, q.wire, q.qnameEnd)
    ) {
      this.#store.stats.drops++;
      return { wire };
    }
    const type = typify(layout);
    const plan = planEntry(
      layout,
      type,
      this.#config,
      disabledFor(this.#config, req.query.wire, type),
    );
    if (plan === undefined) return { wire };
    const entry = makeEntry(q.key, wire, layout, plan.kind, plan.ttl, this.#now());
    this.#store.put(entry);
    if (this.#shared !== undefined) this.#shared.peers.publish(this.#shared.storeKey, entry);
    return { entry };
  }

  /** The reply to the client that caused the fetch (`own`) or, with own=false, to a waiter. */
  #answer(
    result: FetchResult,
    req: Request,
    w: ResponseWriter,
    stale: CacheEntry | undefined,
    own: boolean,
  ): Result {
    if (stale !== undefined && isFailure(result)) return this.#writeStale(stale, req, w);
    if (result.entry !== undefined) {
      w.write(restamp(result.entry, req.query, result.entry.ttl), 'cache');
      return Rcode.NOERROR;
    }
    if (result.wire !== undefined) {
      if (!own) throw new Error('waiters never relay a reply built for another client');
      w.write(result.wire, 'cache');
      return (result.wire[3] as number) & 0xf;
    }
    if (result.error !== undefined) throw result.error;
    return result.rcode ?? Rcode.SERVFAIL;
  }

  #answerWaiter(
    result: FetchResult,
    req: Request,
    w: ResponseWriter,
    stale: CacheEntry | undefined,
  ): Outcome {
    // An uncacheable reply carries another client's ID, question case and EDNS: fetch our own.
    if (result.entry === undefined && result.wire !== undefined) {
      return this.#fetch(req).then((own) => this.#answer(own, req, w, stale, true));
    }
    return this.#answer(result, req, w, stale, false);
  }

  #serveStale(stale: CacheEntry, req: Request, w: ResponseWriter): Outcome {
    if (this.#config.staleMode === 'verify') {
      this.#store.stats.misses++;
      return this.#miss(req, w, stale);
    }
    const rcode = this.#writeStale(stale, req, w);
    this.#refresh(stale, req);
    return rcode;
  }

  #writeStale(stale: CacheEntry, req: Request, w: ResponseWriter): number {
    const stats = this.#store.stats;
    stats.servedStale++;
    if (stale.kind === EntryKind.POSITIVE) stats.hitsSuccess++;
    else stats.hitsDenial++;
    this.#store.touch(stale);
    w.write(restamp(stale, req.query, 0), 'cache');
    return Rcode.NOERROR;
  }

  #maybePrefetch(entry: CacheEntry, req: Request, now: number, remaining: number): void {
    const { amount, durationMs, percentage } = this.#config.prefetch;
    entry.hits = now - entry.lastHitAt > durationMs ? 1 : entry.hits + 1;
    entry.lastHitAt = now;
    if (entry.hits >= amount && remaining <= Math.ceil((percentage / 100) * entry.ttl))
      this.#refresh(entry, req);
  }

  /** One background refresh per entry at a time, over TCP as CoreDNS does for prefetches. */
  #refresh(entry: CacheEntry, req: Request): void {
    if (entry.refreshing) return;
    entry.refreshing = true;
    this.#store.stats.prefetches++;
    const hits = entry.hits;
    void this.#fetch(asTcp(req)).then((result) => {
      entry.refreshing = false;
      if (result.entry !== undefined) {
        result.entry.hits = hits;
        result.entry.lastHitAt = entry.lastHitAt;
      }
    });
  }
}
