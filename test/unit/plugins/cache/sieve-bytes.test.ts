// SieveStore's byte cap beside its entry cap: the bytes stored are tracked through set, replace,
// delete and clear; past the cap the sweep evicts until the new entry fits (keeping the ones
// that were hit); an entry bigger than the whole cap is not kept.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CacheEntry, EntryKind } from '../../../../src/plugins/cache/entry.ts';
import { entryBytes, SieveStore } from '../../../../src/plugins/cache/sieve.ts';

const entry = (key: string, size: number): CacheEntry =>
  new CacheEntry(key, 'x'.repeat(size), '', EntryKind.POSITIVE, 0, 60);

describe('SieveStore byte cap', () => {
  it('counts message and key bytes through set, replace, delete and clear', () => {
    const s = new SieveStore(100, 10_000);
    s.set(entry('a', 100));
    s.set(entry('bb', 200));
    assert.equal(s.bytes, 101 + 202);
    s.set(entry('a', 50)); // a refresh replaces
    assert.equal(s.bytes, 51 + 202);
    s.delete('bb');
    assert.equal(s.bytes, 51);
    s.clear();
    assert.equal(s.bytes, 0);
    assert.equal(entryBytes(entry('key', 7)), 10);
  });

  it('evicts as many entries as it takes for a big one, sparing the ones hit', () => {
    const s = new SieveStore(100, 1000);
    for (let i = 0; i < 9; i++) s.set(entry(`k${i}`, 98)); // 9 × 100 bytes
    const hot = s.peek('k0');
    assert.ok(hot);
    s.touch(hot);
    assert.equal(s.set(entry('big', 398)), true);
    assert.ok(s.bytes <= 1000, `${s.bytes} bytes`);
    assert.equal(s.evictions, 4, 'four 100-byte entries made room for 400');
    assert.ok(s.peek('k0'), 'the entry that was hit stays');
    assert.ok(s.peek('big'));
    assert.equal(s.size, 6);
  });

  it('does not keep an entry bigger than the whole cap, and drops the one it replaces', () => {
    const s = new SieveStore(100, 1000);
    s.set(entry('a', 10));
    assert.equal(s.set(entry('huge', 2000)), false, 'nothing evicted for it');
    assert.equal(s.peek('huge'), undefined);
    assert.ok(s.peek('a'));
    s.set(entry('a', 2000));
    assert.equal(s.peek('a'), undefined, 'an oversized refresh removes the old answer');
    assert.equal(s.bytes, 0);
  });

  it('evicts nothing for an oversized entry even when the count is full', () => {
    const s = new SieveStore(1, 1000);
    s.set(entry('a', 10));
    assert.equal(s.set(entry('huge', 2000)), false);
    assert.ok(s.peek('a'), 'the full store keeps what it had');
    assert.equal(s.evictions, 0);
  });

  it('still caps the entry count', () => {
    const s = new SieveStore(3, 1_000_000);
    for (let i = 0; i < 10; i++) s.set(entry(`k${i}`, 10));
    assert.equal(s.size, 3);
    assert.equal(s.bytes, 3 * 12);
    assert.equal(s.evictions, 7);
  });
});
