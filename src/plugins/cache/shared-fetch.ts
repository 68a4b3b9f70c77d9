// A cache miss while other worker threads serve too (`-workers`, peer-cache.ts): the thread that
// owns the key answers it from its store, or one thread fetches for all of them.

import type { FetchResult, SharedStore } from './flight.ts';
import { unshare } from './peer-cache.ts';
import type { CacheStore } from './store.ts';

/** `fetch` asks this thread's upstream and stores the answer. Never rejects. */
export async function fetchAcrossThreads(
  shared: SharedStore,
  store: CacheStore,
  key: string,
  now: () => number,
  fetch: () => Promise<FetchResult>,
): Promise<FetchResult> {
  const { peers, storeKey } = shared;
  if (peers.owns(key)) {
    const running = peers.running(storeKey, key);
    if (running === undefined) {
      const end = peers.lease(storeKey, key);
      const result = await fetch();
      end(result.entry);
      return result;
    }
    const entry = (await running) && store.fresh(key, now());
    return entry ? { entry, fromPeer: true } : fetch();
  }
  const found = await peers.lookup(storeKey, key);
  if (found.entry !== undefined) {
    const entry = unshare(key, found.entry, now());
    store.put(entry);
    return { entry, fromPeer: true };
  }
  const result = await fetch(); // the fetch's store hands a stored entry to the owner
  if (found.lease && result.entry === undefined) peers.release(storeKey, key);
  return result;
}
