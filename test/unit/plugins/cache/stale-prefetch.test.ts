import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rcode } from '../../../../src/dns/constants.ts';
import { inspect } from '../../../helpers/inspect.ts';
import { buildResponse, rr } from '../../../helpers/rr.ts';
import { cacheRig } from './harness.ts';

const answer = (ttl: number, address: string) => (req: { query: { wire: Buffer } }) =>
  buildResponse({
    query: req.query.wire,
    answer: [rr(`web.example.test. ${ttl} IN A ${address}`)],
  });

const settle = () => new Promise((r) => setImmediate(r));

describe('serve_stale', () => {
  it('immediate: serves an expired entry with TTL 0 and refreshes it once in the background', async () => {
    let address = '192.0.2.1';
    let up = true;
    const rig = cacheRig('cache 30 {\n serve_stale 1h\n}', (req) =>
      up ? answer(30, address)(req) : undefined,
    );
    await rig.ask({ name: 'web.example.test.' });
    rig.advance(31_000);
    up = false;
    const stale = inspect((await rig.ask({ name: 'web.example.test.' })).reply as Buffer);
    assert.equal(stale.answer[0]?.ttl, 0);
    assert.equal(stale.answer[0]?.data, '192.0.2.1');
    await rig.ask({ name: 'web.example.test.' }); // refresh already running or failed: served stale again
    await settle();
    assert.equal(rig.store.stats.servedStale, 2);
    up = true;
    address = '192.0.2.2';
    await rig.ask({ name: 'web.example.test.' }); // stale again, and this refresh succeeds
    await settle();
    const fresh = inspect((await rig.ask({ name: 'web.example.test.' })).reply as Buffer);
    assert.equal(fresh.answer[0]?.data, '192.0.2.2');
    assert.ok((fresh.answer[0]?.ttl ?? 0) > 0);
  });

  it('stops serving stale entries once the window has passed', async () => {
    let up = true;
    const rig = cacheRig('cache 30 {\n serve_stale 10s\n}', (req) =>
      up ? answer(30, '192.0.2.1')(req) : undefined,
    );
    await rig.ask({ name: 'web.example.test.' });
    up = false;
    rig.advance(40_001);
    assert.equal((await rig.ask({ name: 'web.example.test.' })).rcode, Rcode.SERVFAIL);
  });

  it('verify: asks upstream first and falls back to the stale entry on failure', async () => {
    let mode: 'ok' | 'servfail' | 'down' = 'ok';
    const rig = cacheRig('cache 30 {\n serve_stale 1h verify\n}', (req) => {
      if (mode === 'down') return undefined;
      if (mode === 'servfail')
        return buildResponse({ query: req.query.wire, rcode: Rcode.SERVFAIL });
      return answer(30, '192.0.2.1')(req);
    });
    await rig.ask({ name: 'web.example.test.' });
    rig.advance(31_000);
    mode = 'servfail';
    const a = inspect((await rig.ask({ name: 'web.example.test.' })).reply as Buffer);
    assert.equal(a.status, 'NOERROR');
    assert.equal(a.answer[0]?.ttl, 0);
    mode = 'down';
    assert.equal(
      inspect((await rig.ask({ name: 'web.example.test.' })).reply as Buffer).answer[0]?.ttl,
      0,
    );
    mode = 'ok';
    assert.equal(
      inspect((await rig.ask({ name: 'web.example.test.' })).reply as Buffer).answer[0]?.ttl,
      30,
    );
    assert.equal(rig.next.calls, 4);
  });
});

describe('prefetch', () => {
  it('refreshes a popular entry near the end of its TTL (CoreDNS timeline, TTL 80)', async () => {
    let address = '192.0.2.1';
    const rig = cacheRig('cache 3600 {\n prefetch 1 1m 10%\n}', (req) => answer(80, address)(req));
    await rig.ask({ name: 'web.example.test.' });
    rig.advance(73_000);
    address = '192.0.2.2';
    const old = inspect((await rig.ask({ name: 'web.example.test.' })).reply as Buffer);
    assert.equal(old.answer[0]?.ttl, 7);
    assert.equal(old.answer[0]?.data, '192.0.2.1');
    await settle();
    assert.equal(rig.next.calls, 2);
    assert.equal(rig.store.stats.prefetches, 1);
    rig.advance(7_000);
    const fresh = inspect((await rig.ask({ name: 'web.example.test.' })).reply as Buffer);
    assert.equal(fresh.answer[0]?.data, '192.0.2.2');
    assert.equal(fresh.answer[0]?.ttl, 73);
  });

  it('does not prefetch entries that are not hit often enough', async () => {
    const rig = cacheRig('cache 3600 {\n prefetch 3 1m 10%\n}', (req) =>
      answer(80, '192.0.2.1')(req),
    );
    await rig.ask({ name: 'web.example.test.' });
    rig.advance(73_000);
    await rig.ask({ name: 'web.example.test.' });
    await settle();
    assert.equal(rig.next.calls, 1);
  });
});

describe('eviction', () => {
  it('keeps names that are hit when a flood of one-off names fills the cache (SIEVE)', async () => {
    const rig = cacheRig('cache {\n success 10\n}', (req) =>
      buildResponse({
        query: req.query.wire,
        answer: [rr(`${'x'}.example.test. 60 IN A 192.0.2.1`)],
        ownerCase: 'query',
      }),
    );
    const popular = ['a.example.test.', 'b.example.test.', 'c.example.test.'];
    for (const name of popular) await rig.ask({ name });
    for (let i = 0; i < 200; i++) {
      for (const name of popular) await rig.ask({ name });
      await rig.ask({ name: `oneoff${i}.example.test.` });
    }
    assert.equal(rig.next.calls, popular.length + 200);
    assert.equal(rig.store.positive.size, 10);
    assert.ok(rig.store.positive.evictions >= 190);
  });
});
