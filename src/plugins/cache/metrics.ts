// cache's metrics: the store's plain counters rendered at scrape time as coredns_cache_* by
// src/metrics/cache.ts.

import { serverLabel } from '../../app/instance.ts';
import type { BlockInfo } from '../../chain/definition.ts';
import type { PluginServices } from '../../lifecycle/services.ts';
import { cacheStoreSource } from '../../metrics/cache.ts';
import type { CacheStore } from './store.ts';

/**
 * One store serves every listen address of its block, so its counters go out under the first
 * address's `server` label: sums over servers are right, a per-address split is not kept.
 */
export function registerCacheMetrics(
  store: CacheStore,
  block: BlockInfo,
  services: PluginServices,
): void {
  services.addCacheMetrics(
    cacheStoreSource(store, block.zones, serverLabel(block.listen?.[0] ?? '', block.port)),
  );
}
