// The cache across threads, with two PeerCaches joined by a real MessageChannel in one thread.

import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { PeerMesh } from '../../../../src/app/peers.ts';
import { CacheEntry, EntryKind, encodeTtlOffsets } from '../../../../src/plugins/cache/entry.ts';
import { PeerCache } from '../../../../src/plugins/cache/peer-cache.ts';
import { CacheStore } from '../../../../src/plugins/cache/store.ts';

const STORE = 'cache|cluster.local.:53|{}';

function pair(t: TestContext) {
  const meshes = [new PeerMesh(0, 2), new PeerMesh(1, 2)] as const;
  const channel = new MessageChannel();
  meshes[0].connect(1, channel.port1);
  meshes[1].connect(0, channel.port2);
  t.after(() => {
    for (const m of meshes) m.close();
  });
  let clock = 1000;
  const now = (): number => clock;
  const caches = meshes.map((m) => new PeerCache(m.channel('cache')));
  const stores = caches.map((c) => {
    const store = new CacheStore({
      success: { capacity: 100 },
      denial: { capacity: 100 },
    } as never);
    c.register(STORE, store, now);
    return store;
  });
  /** A key thread 1 owns. */
  const key = Array.from({ length: 64 }, (_, i) => `key${i}`).find((k) => caches[1]?.owns(k));
  if (key === undefined) throw new Error('no key owned by thread 1');
  return {
    meshes,
    caches: caches as [PeerCache, PeerCache],
    stores: stores as [CacheStore, CacheStore],
    key,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

function entry(key: string, storedAt: number): CacheEntry {
  return new CacheEntry(key, 'wire-bytes', encodeTtlOffsets([6]), EntryKind.POSITIVE, storedAt, 30);
}

describe('PeerCache', () => {
  it('gives the first asker the lease and the entry it publishes to every later asker', async (t) => {
    const { caches, stores, key, advance } = pair(t);
    assert.equal(caches[0].owns(key), false);
    const first = await caches[0].lookup(STORE, key);
    assert.deepEqual(first, { lease: true });
    caches[0].publish(STORE, entry(key, 1000));
    const waiting = caches[1].running(STORE, key);
    assert.ok(waiting !== undefined, 'the owner sees the lease');
    assert.equal((await waiting)?.wire, 'wire-bytes');
    advance(2000);
    const again = await caches[0].lookup(STORE, key);
    assert.equal(again.lease, false);
    assert.equal(again.entry?.wire, 'wire-bytes');
    assert.equal(again.entry?.ageMs, 2000, 'the age crosses threads, not a clock reading');
    assert.equal(stores[1].fresh(key, 3000)?.wire, 'wire-bytes', 'the owner stored it');
  });

  it('makes a second asker wait on the lease instead of fetching', async (t) => {
    const { caches, key } = pair(t);
    assert.deepEqual(await caches[0].lookup(STORE, key), { lease: true });
    const second = caches[0].lookup(STORE, key);
    caches[0].publish(STORE, entry(key, 1000));
    assert.equal((await second).entry?.wire, 'wire-bytes');
  });

  it('lets waiters fetch for themselves when the lease holder stored nothing', async (t) => {
    const { caches, key } = pair(t);
    assert.deepEqual(await caches[0].lookup(STORE, key), { lease: true });
    const second = caches[0].lookup(STORE, key);
    caches[0].release(STORE, key);
    assert.deepEqual(await second, { lease: false });
  });

  it('works alone when the owner is down or has no such store', async (t) => {
    const { meshes, caches, key } = pair(t);
    assert.deepEqual(await caches[0].lookup('cache|other|{}', key), { lease: false });
    meshes[0].disconnect(1);
    assert.deepEqual(await caches[0].lookup(STORE, key), { lease: false });
  });
});
