import type { PluginDefinition } from '../../chain/definition.ts';
import { CacheHandler } from './cache.ts';
import { watchHandover } from './handover.ts';
import { CacheCollector, registerCacheMetrics } from './metrics.ts';
import { loadSnapshot, saveSnapshot } from './persist.ts';
import { type CacheConfig, parseCache } from './setup.ts';
import { CacheStore } from './store.ts';

/**
 * The store lives in the App's retained state under a key made of the block and the cache's
 * own config: a reload that leaves both unchanged keeps every entry.
 */
export const cache: PluginDefinition<CacheConfig, CacheCollector> = {
  name: 'cache',
  init(app) {
    // App-lifetime, so coredns_cache_* never go backwards across reloads.
    const collector = new CacheCollector();
    app.addCollector(collector);
    app.addHitCounter(() => collector.hitTotals());
    return collector;
  },
  parse: (d, block) => parseCache(d, block),
  setup(config, ctx) {
    const key = `cache|${ctx.block.zones.join(',')}:${ctx.block.port}|${JSON.stringify(config)}`;
    let stopWatching = (): void => {};
    const store = ctx.retained.acquire(
      key,
      () => {
        const created = new CacheStore(config);
        if (config.persistPath !== undefined) {
          const { clock } = ctx;
          loadSnapshot(
            created,
            config,
            config.persistPath,
            ctx.log,
            clock.wallMs(),
            clock.monotonicMs(),
          );
          stopWatching = watchHandover(created, config, config.persistPath, ctx.log, clock);
        }
        return created;
      },
      async (retired) => {
        stopWatching();
        if (config.persistPath === undefined) return;
        // Counted as well as logged: on a reload the agent keeps serving and the metric shows it.
        const { clock } = ctx;
        const path = config.persistPath;
        if (!(await saveSnapshot(retired, path, ctx.log, clock.wallMs(), clock.monotonicMs())))
          ctx.state.snapshotFailures++;
      },
    );
    ctx.onShutdown(() => ctx.retained.release(key));
    registerCacheMetrics(store, ctx.block, ctx);
    return (next) => new CacheHandler(next, config, store, ctx.block.zones, ctx.clock.monotonicMs);
  },
};
