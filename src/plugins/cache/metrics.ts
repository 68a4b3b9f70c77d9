// cache's metrics: coredns_cache_* rendered at scrape time from the stores' plain-number
// counters. One CacheCollector per App (the plugin's init state); every cache line adds a
// CacheMetricsSource for its store, and when a config retires its source the counters fold into
// retired totals, so the exported counters never go backwards across reloads.

import type { BlockInfo, SetupContext } from '../../chain/definition.ts';
import { serverLabel } from '../../chain/server-label.ts';
import type { ExpositionWriter, Labels } from '../../metrics/exposition.ts';
import { LiveSources } from '../../metrics/live-sources.ts';
import { ServerSlots } from '../../metrics/slots.ts';

export interface CacheCounters {
  requests: number;
  hitsSuccess: number;
  hitsDenial: number;
  misses: number;
  prefetch: number;
  drops: number;
  servedStale: number;
  evictionsSuccess: number;
  evictionsDenial: number;
  waitersShed: number;
}

export function newCacheCounters(): CacheCounters {
  return {
    requests: 0,
    hitsSuccess: 0,
    hitsDenial: 0,
    misses: 0,
    prefetch: 0,
    drops: 0,
    servedStale: 0,
    evictionsSuccess: 0,
    evictionsDenial: 0,
    waitersShed: 0,
  };
}

/** What a cache exposes to the collector. */
export interface CacheMetricsSource {
  /** The object whose counters these are; registering it twice (a retained store) counts once. */
  readonly id: object;
  /** The cache zones joined with "," (the `zones` label), e.g. `cluster.local.`. */
  readonly zones: string;
  /** Entries stored now, per cache type. */
  entries(): { readonly success: number; readonly denial: number };
  /** Bytes stored now, per cache type (what the byte cap counts). */
  bytes(): { readonly success: number; readonly denial: number };
  /** Counters per `server` label. */
  counters(): Iterable<{ readonly server: string; readonly counters: Readonly<CacheCounters> }>;
}

/** The parts of the cache plugin's CacheStore that metrics read (structural: no import). */
export interface CacheStoreLike {
  readonly stats: {
    readonly requests: number;
    readonly hitsSuccess: number;
    readonly hitsDenial: number;
    readonly misses: number;
    readonly prefetches: number;
    readonly drops: number;
    readonly servedStale: number;
    readonly waitersShed: number;
  };
  readonly positive: { readonly size: number; readonly evictions: number; readonly bytes: number };
  readonly negative: { readonly size: number; readonly evictions: number; readonly bytes: number };
}

/**
 * A source for a cache store whose counters are not split per listener: they are reported under
 * `server` (the block's first listener), so sums over servers stay right.
 */
export function cacheStoreSource(
  store: CacheStoreLike,
  zones: readonly string[],
  server: string,
): CacheMetricsSource {
  return {
    id: store,
    zones: zones.join(','),
    entries: () => ({ success: store.positive.size, denial: store.negative.size }),
    bytes: () => ({ success: store.positive.bytes, denial: store.negative.bytes }),
    counters: () => [
      {
        server,
        counters: {
          requests: store.stats.requests,
          hitsSuccess: store.stats.hitsSuccess,
          hitsDenial: store.stats.hitsDenial,
          misses: store.stats.misses,
          prefetch: store.stats.prefetches,
          drops: store.stats.drops,
          servedStale: store.stats.servedStale,
          evictionsSuccess: store.positive.evictions,
          evictionsDenial: store.negative.evictions,
          waitersShed: store.stats.waitersShed,
        },
      },
    ],
  };
}

/** Counters split per listener, for a cache that wants exact `server` labels. */
export function newCacheServerSlots(): ServerSlots<CacheCounters> {
  return new ServerSlots(newCacheCounters);
}

function addInto(total: CacheCounters, c: Readonly<CacheCounters>): void {
  for (const k of Object.keys(total) as Array<keyof CacheCounters>) total[k] += c[k];
}

export class CacheCollector {
  /** Live sources by id, with a reference count. */
  readonly #live = new LiveSources<CacheMetricsSource>();
  readonly #retired = new Map<string, { server: string; zones: string; c: CacheCounters }>();
  /** Cache snapshots (`persist`) that could not be written, e.g. on a full disk. */
  snapshotFailures = 0;

  /** Adds a source (the same object twice is counted once); returns its removal. */
  add(source: CacheMetricsSource): () => void {
    return this.#live.add(source, (retired) => {
      for (const { server, counters } of retired.counters()) {
        addInto(this.#total(this.#retired, server, retired.zones), counters);
      }
    });
  }

  #total(
    map: Map<string, { server: string; zones: string; c: CacheCounters }>,
    server: string,
    zones: string,
  ): CacheCounters {
    const key = `${server}\u0000${zones}`;
    let entry = map.get(key);
    if (entry === undefined) {
      entry = { server, zones, c: newCacheCounters() };
      map.set(key, entry);
    }
    return entry.c;
  }

  collect(w: ExpositionWriter): void {
    const fam = (name: string, help: string, type: 'counter' | 'gauge' = 'counter'): void =>
      w.family(`coredns_cache_${name}`, help, type);
    fam('entries', 'The number of elements in the cache.', 'gauge');
    fam('requests_total', 'The count of cache requests.');
    fam('hits_total', 'The count of cache hits.');
    fam(
      'misses_total',
      'The count of cache misses. Deprecated, derive misses from cache hits/requests counters.',
    );
    fam('prefetch_total', 'The number of times the cache has prefetched a cached item.');
    fam('drops_total', 'The number responses that are not cached, because the reply is malformed.');
    fam('served_stale_total', 'The number of requests served from stale cache entries.');
    fam('evictions_total', 'The count of cache evictions.');
    w.family(
      'coredns_nodecache_cache_bytes',
      'Bytes of messages and keys stored, per cache type (capped per cache type).',
      'gauge',
    );
    w.family(
      'coredns_nodecache_cache_waiters_shed_total',
      'Misses answered SERVFAIL at once because the most queries allowed already waited on the same name.',
      'counter',
    );
    w.family(
      'coredns_nodecache_cache_snapshot_failures_total',
      'Cache snapshots (persist) that could not be written, e.g. on a full disk.',
      'counter',
    );
    w.sample('coredns_nodecache_cache_snapshot_failures_total', [], this.snapshotFailures);
    const totals = new Map<string, { server: string; zones: string; c: CacheCounters }>();
    for (const [key, entry] of this.#retired) totals.set(key, { ...entry, c: { ...entry.c } });
    for (const source of this.#live.sources()) {
      const size = source.entries();
      const bytes = source.bytes();
      for (const { server, counters } of source.counters()) {
        addInto(this.#total(totals, server, source.zones), counters);
        const labels: Labels = [
          ['server', server],
          ['view', ''],
          ['zones', source.zones],
        ];
        w.sample('coredns_cache_entries', withType(labels, 'denial'), size.denial);
        w.sample('coredns_cache_entries', withType(labels, 'success'), size.success);
        w.sample('coredns_nodecache_cache_bytes', withType(labels, 'denial'), bytes.denial);
        w.sample('coredns_nodecache_cache_bytes', withType(labels, 'success'), bytes.success);
      }
    }
    for (const { server, zones, c } of totals.values()) {
      const labels: Labels = [
        ['server', server],
        ['view', ''],
        ['zones', zones],
      ];
      w.sample('coredns_cache_requests_total', labels, c.requests);
      w.sample('coredns_cache_hits_total', withType(labels, 'denial'), c.hitsDenial);
      w.sample('coredns_cache_hits_total', withType(labels, 'success'), c.hitsSuccess);
      w.sample('coredns_cache_misses_total', labels, c.misses);
      w.sample('coredns_cache_prefetch_total', labels, c.prefetch);
      w.sample('coredns_cache_drops_total', labels, c.drops);
      w.sample('coredns_cache_served_stale_total', labels, c.servedStale);
      w.sample('coredns_cache_evictions_total', withType(labels, 'denial'), c.evictionsDenial);
      w.sample('coredns_cache_evictions_total', withType(labels, 'success'), c.evictionsSuccess);
      w.sample('coredns_nodecache_cache_waiters_shed_total', labels, c.waitersShed);
    }
  }

  /** Sum over every server: hits and requests (the status page's hit ratio). */
  hitTotals(): { hits: number; requests: number } {
    let hits = 0;
    let requests = 0;
    const add = (c: CacheCounters): void => {
      hits += c.hitsSuccess + c.hitsDenial;
      requests += c.requests;
    };
    for (const { c } of this.#retired.values()) add(c);
    for (const source of this.#live.sources())
      for (const { counters } of source.counters()) add(counters);
    return { hits, requests };
  }
}

/** server, type, view, zones: `type` sorts between server and view. */
function withType(labels: Labels, type: string): Labels {
  return [labels[0] as readonly [string, string], ['type', type], ...labels.slice(1)];
}

/**
 * Adds a store's counters for as long as the setting-up config lives. One store serves every
 * listen address of its block, so its counters go out under the first address's `server`
 * label: sums over servers are right, a per-address split is not kept.
 */
export function registerCacheMetrics(
  store: CacheStoreLike,
  block: BlockInfo,
  ctx: Pick<SetupContext<CacheCollector>, 'state' | 'onShutdown'>,
): void {
  const remove = ctx.state.add(
    cacheStoreSource(store, block.zones, serverLabel(block.listen?.[0] ?? '', block.port)),
  );
  ctx.onShutdown(remove);
}
