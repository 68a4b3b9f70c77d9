import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadSnapshot, saveSnapshot } from '../../../../src/plugins/cache/persist.ts';
import { CacheStore } from '../../../../src/plugins/cache/store.ts';
import { memoryLogger } from '../../../../src/util/log.ts';
import { buildResponse, rr } from '../../../helpers/rr.ts';
import { cacheRig, parseCacheLine } from './harness.ts';

async function filledRig() {
  const rig = cacheRig('cache 300 {\n serve_stale 1h\n}', (req) =>
    buildResponse({
      query: req.query.wire,
      answer: [rr('web.example.test. 100 IN A 192.0.2.1')],
      ownerCase: 'query',
    }),
  );
  await rig.ask({ name: 'a.example.test.' });
  await rig.ask({ name: 'b.example.test.', type: 'AAAA' });
  return rig;
}

describe('cache snapshot', () => {
  it('restores entries with their TTL reduced by the time that passed', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'nld-snap-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const rig = await filledRig();
    const path = join(dir, 'cache.snap');
    const log = memoryLogger();
    await saveSnapshot(rig.store, path, log, 1_000_000, 1_000_000);
    const config = parseCacheLine('cache 300 {\n serve_stale 1h\n}');
    const restored = new CacheStore(config);
    assert.equal(loadSnapshot(restored, config, path, log, 1_000_000 + 40_000, 5_000), 2);
    const entry = restored.fresh(rig.store.positive.entries().next().value?.key ?? '', 5_000);
    assert.ok(entry);
    assert.equal(entry.remaining(5_000), 60);
  });

  it('keeps expired entries only inside the serve_stale window', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'nld-snap-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const rig = await filledRig();
    const path = join(dir, 'cache.snap');
    await saveSnapshot(rig.store, path, memoryLogger(), 0, 1_000_000);
    const stale = parseCacheLine('cache 300 {\n serve_stale 1h\n}');
    assert.equal(loadSnapshot(new CacheStore(stale), stale, path, memoryLogger(), 200_000), 2);
    const strict = parseCacheLine('cache 300');
    assert.equal(loadSnapshot(new CacheStore(strict), strict, path, memoryLogger(), 200_000), 0);
  });

  it('ignores a missing, truncated or corrupted file and says so', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'nld-snap-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const rig = await filledRig();
    const path = join(dir, 'cache.snap');
    await saveSnapshot(rig.store, path, memoryLogger());
    const bytes = await readFile(path);
    const config = parseCacheLine('cache 300');
    const log = memoryLogger();
    assert.equal(loadSnapshot(new CacheStore(config), config, join(dir, 'missing'), log), 0);
    await writeFile(path, bytes.subarray(0, bytes.length - 7));
    assert.equal(loadSnapshot(new CacheStore(config), config, path, log), 0);
    const flipped = Buffer.from(bytes);
    flipped[30] = (flipped[30] as number) ^ 0xff;
    await writeFile(path, flipped);
    const store = new CacheStore(config);
    assert.equal(loadSnapshot(store, config, path, log), 0);
    assert.equal(store.positive.size, 0);
    assert.equal(log.lines.filter((l) => l.includes('ignoring the cache snapshot')).length, 2);
    assert.ok(log.lines.some((l) => l.includes('ENOENT')));
  });
});
