import type { PluginDefinition } from '../../chain/definition.ts';
import { CacheHandler } from './cache.ts';
import { watchHandover } from './handover.ts';
import { CacheCollector, registerCacheMetrics } from './metrics.ts';
import { PeerCache } from './peer-cache.ts';
import { loadSnapshot, saveSnapshot } from './persist.ts';
import { type CacheConfig, parseCache } from './setup.ts';
import { CacheStore } from './store.ts';

interface CacheState {
  readonly collector: CacheCollector;
  /** The cache across threads (`-workers`); inactive with one thread. */
  readonly peers: PeerCache;
  /**
   * Only the main thread writes `persist` snapshots: threads writing one file at once would
   * spoil it. Every thread loads it. (With several threads the snapshot holds what the main
   * thread's store holds: its own keys and its copies of others.)
   */
  readonly primary: boolean;
}

/**
 * The store lives in the App's retained state under a key made of the block and the cache's
 * own config: a reload that leaves both unchanged keeps every entry.
 */
export const cache: PluginDefinition<CacheConfig, CacheState> = {
  name: 'cache',
  init(app) {
    // App-lifetime, so coredns_cache_* never go backwards across reloads.
    const collector = new CacheCollector();
    app.addCollector(collector);
    app.addHitCounter(() => collector.hitTotals());
    return { collector, peers: new PeerCache(app.peers), primary: app.primary };
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
        if (config.persistPath === undefined || !ctx.state.primary) return;
        // Counted as well as logged: on a reload the agent keeps serving and the metric shows it.
        const { clock } = ctx;
        const path = config.persistPath;
        if (!(await saveSnapshot(retired, path, ctx.log, clock.wallMs(), clock.monotonicMs())))
          ctx.state.collector.snapshotFailures++;
      },
    );
    ctx.onShutdown(() => ctx.retained.release(key));
    registerCacheMetrics(store, ctx.block, {
      state: ctx.state.collector,
      onShutdown: ctx.onShutdown,
    });
    const { peers } = ctx.state;
    const now = ctx.clock.monotonicMs;
    if (peers.active) ctx.onShutdown(peers.register(key, store, now));
    const shared = { peers, storeKey: key };
    return (next) => new CacheHandler(next, config, store, ctx.block.zones, now, shared);
  },
};
