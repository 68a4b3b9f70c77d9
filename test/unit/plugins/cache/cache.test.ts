import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rcode } from '../../../../src/dns/constants.ts';
import { inspect } from '../../../helpers/inspect.ts';
import { buildResponse, rr } from '../../../helpers/rr.ts';
import { cacheRig, RecordingWriter, request } from './harness.ts';

const answerA =
  (ttl: number, address = '192.0.2.1') =>
  (req: { query: { wire: Buffer } }) =>
    buildResponse({
      query: req.query.wire,
      flags: { aa: true },
      answer: [rr(`web.example.test. ${ttl} IN A ${address}`)],
    });

const nxdomain = (soaTtl: number, minimum: number) => (req: { query: { wire: Buffer } }) =>
  buildResponse({
    query: req.query.wire,
    rcode: Rcode.NXDOMAIN,
    authority: [
      rr(
        `example.test. ${soaTtl} IN SOA ns.example.test. host.example.test. 1 7200 900 1209600 ${minimum}`,
      ),
    ],
  });

describe('cache hits', () => {
  it('answers the second query from the cache with its own ID and question bytes', async () => {
    const rig = cacheRig('cache 30', answerA(300));
    const first = await rig.ask({ name: 'web.example.test.', id: 1 });
    const second = await rig.ask({ name: 'WeB.eXample.test.', id: 4242 });
    assert.equal(rig.next.calls, 1);
    assert.ok(first.reply && second.reply);
    const m = inspect(second.reply);
    assert.equal(m.id, 4242);
    assert.equal(m.question?.name, 'WeB.eXample.test.');
    assert.deepEqual(
      m.answer.map((r) => r.data),
      ['192.0.2.1'],
    );
    assert.equal(rig.store.stats.hitsSuccess, 1);
    assert.equal(rig.store.stats.misses, 1);
  });

  it('clamps TTLs to [min, max] and counts them down on hits', async () => {
    const rig = cacheRig('cache 30', answerA(3600));
    const first = await rig.ask({ name: 'web.example.test.' });
    assert.equal(inspect(first.reply as Buffer).answer[0]?.ttl, 30);
    rig.advance(10_400);
    const later = await rig.ask({ name: 'web.example.test.' });
    assert.equal(inspect(later.reply as Buffer).answer[0]?.ttl, 20);
    rig.advance(19_600); // t = 30 s: expired
    await rig.ask({ name: 'web.example.test.' });
    assert.equal(rig.next.calls, 2);
  });

  it('raises a tiny upstream TTL to the minimum of 5 s', async () => {
    const rig = cacheRig('cache 30', answerA(1));
    assert.equal(
      inspect((await rig.ask({ name: 'web.example.test.' })).reply as Buffer).answer[0]?.ttl,
      5,
    );
  });

  it('keepttl answers with the stored duration instead of counting down', async () => {
    const rig = cacheRig('cache 30 {\n keepttl\n}', answerA(60));
    await rig.ask({ name: 'web.example.test.' });
    rig.advance(12_000);
    assert.equal(
      inspect((await rig.ask({ name: 'web.example.test.' })).reply as Buffer).answer[0]?.ttl,
      30,
    );
  });

  it('clears AA on cached answers and takes RD and CD from the query', async () => {
    const rig = cacheRig('cache', answerA(60));
    await rig.ask({ name: 'web.example.test.' });
    const hit = inspect(
      (await rig.ask({ name: 'web.example.test.', recursionDesired: false })).reply as Buffer,
    );
    assert.deepEqual(hit.flags, ['qr', 'ra']);
  });

  it('keys on qclass, DO and CD as well as name and type', async () => {
    const rig = cacheRig('cache', answerA(60));
    await rig.ask({ name: 'web.example.test.' });
    await rig.ask({ name: 'web.example.test.', qclass: 3 });
    await rig.ask({ name: 'web.example.test.', dnssecOk: true });
    await rig.ask({ name: 'web.example.test.', cd: true });
    await rig.ask({ name: 'web.example.test.', type: 'AAAA' });
    assert.equal(rig.next.calls, 5);
    await rig.ask({ name: 'web.example.test.', dnssecOk: true });
    assert.equal(rig.next.calls, 5);
  });

  it('adds an OPT only for clients that sent EDNS, echoing DO', async () => {
    const rig = cacheRig('cache', answerA(60));
    await rig.ask({ name: 'web.example.test.', edns: true });
    const plain = inspect((await rig.ask({ name: 'web.example.test.' })).reply as Buffer);
    assert.equal(plain.edns.present, false);
    await rig.ask({ name: 'web.example.test.', dnssecOk: true });
    const withDo = inspect(
      (await rig.ask({ name: 'web.example.test.', dnssecOk: true })).reply as Buffer,
    );
    assert.ok(withDo.edns.present && withDo.edns.do);
  });
});

describe('negative caching', () => {
  it('caches NXDOMAIN for min(SOA TTL, SOA MINIMUM) as RFC 2308 says', async () => {
    const rig = cacheRig('cache 300', nxdomain(60, 10));
    const first = inspect((await rig.ask({ name: 'nope.example.test.' })).reply as Buffer);
    assert.equal(first.status, 'NXDOMAIN');
    assert.equal(first.authority[0]?.ttl, 10);
    rig.advance(9_000);
    await rig.ask({ name: 'nope.example.test.' });
    assert.equal(rig.next.calls, 1);
    rig.advance(1_000);
    await rig.ask({ name: 'nope.example.test.' });
    assert.equal(rig.next.calls, 2);
    assert.equal(rig.store.stats.hitsDenial, 1);
  });

  it('applies the denial bounds', async () => {
    const rig = cacheRig('cache {\n denial 100 5\n}', nxdomain(60, 60));
    assert.equal(
      inspect((await rig.ask({ name: 'nope.example.test.' })).reply as Buffer).authority[0]?.ttl,
      5,
    );
  });

  it('does not cache NXDOMAIN without an SOA, TC answers or REFUSED', async () => {
    for (const make of [
      (q: Buffer) => buildResponse({ query: q, rcode: Rcode.NXDOMAIN }),
      (q: Buffer) => buildResponse({ query: q, flags: { tc: true } }),
      (q: Buffer) => buildResponse({ query: q, rcode: Rcode.REFUSED }),
    ]) {
      const rig = cacheRig('cache', (req) => make(req.query.wire));
      await rig.ask({ name: 'x.example.test.' });
      await rig.ask({ name: 'x.example.test.' });
      assert.equal(rig.next.calls, 2);
    }
  });

  it('caches an upstream SERVFAIL for the servfail duration, and not with servfail 0', async () => {
    const servfail = (req: { query: { wire: Buffer } }) =>
      buildResponse({ query: req.query.wire, rcode: Rcode.SERVFAIL });
    const rig = cacheRig('cache {\n servfail 2s\n}', servfail);
    await rig.ask({ name: 'x.example.test.' });
    const hit = await rig.ask({ name: 'x.example.test.' });
    assert.equal(hit.rcode, Rcode.SERVFAIL);
    assert.equal(rig.next.calls, 1);
    rig.advance(2_000);
    await rig.ask({ name: 'x.example.test.' });
    assert.equal(rig.next.calls, 2);
    const off = cacheRig('cache {\n servfail 0\n}', servfail);
    await off.ask({ name: 'x.example.test.' });
    await off.ask({ name: 'x.example.test.' });
    assert.equal(off.next.calls, 2);
  });

  it('never caches a forward failure (nothing written)', async () => {
    const rig = cacheRig('cache', () => undefined);
    assert.equal((await rig.ask({ name: 'x.example.test.' })).rcode, Rcode.SERVFAIL);
    await rig.ask({ name: 'x.example.test.' });
    assert.equal(rig.next.calls, 2);
  });

  it('honours disable success for a zone but still caches its denials', async () => {
    let nx = false;
    const rig = cacheRig('cache {\n disable success example.test\n}', (req) =>
      nx ? nxdomain(30, 30)(req) : answerA(60)(req),
    );
    await rig.ask({ name: 'web.example.test.' });
    await rig.ask({ name: 'web.example.test.' });
    assert.equal(rig.next.calls, 2);
    nx = true;
    await rig.ask({ name: 'gone.example.test.' });
    await rig.ask({ name: 'gone.example.test.' });
    assert.equal(rig.next.calls, 3);
  });
});

describe('cache safety', () => {
  it('relays but does not store an answer whose question does not match, and counts a drop', async () => {
    const rig = cacheRig('cache', (req) =>
      buildResponse({
        query: req.query.wire,
        question: { name: 'other.example.test.', type: 'A' },
        answer: [rr('other.example.test. 60 IN A 192.0.2.9')],
      }),
    );
    const w = await rig.ask({ name: 'web.example.test.' });
    assert.ok(w.written);
    await rig.ask({ name: 'web.example.test.' });
    assert.equal(rig.next.calls, 2);
    assert.equal(rig.store.stats.drops, 2);
  });

  /** A cache whose upstream answers (answerA) only once `release()` is called. */
  const gatedRig = () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const rig = cacheRig('cache', async (req) => {
      await gate;
      return answerA(60)(req);
    });
    return { rig, release };
  };

  it('sends one upstream query for many identical concurrent misses', async () => {
    const { rig, release } = gatedRig();
    const asks = Array.from({ length: 20 }, (_, i) =>
      rig.ask({ name: 'web.example.test.', id: 1000 + i }),
    );
    release();
    const replies = await Promise.all(asks);
    assert.equal(rig.next.calls, 1);
    assert.deepEqual(
      replies.map((w) => inspect(w.reply as Buffer).id),
      Array.from({ length: 20 }, (_, i) => 1000 + i),
    );
    assert.equal(rig.store.stats.coalesced, 19);
  });

  it('answers the waiters even when the first client cannot be written to', async () => {
    const { rig, release } = gatedRig();
    const broken = new RecordingWriter();
    broken.write = () => {
      throw new Error('client socket gone');
    };
    const first = rig.cache.serveDNS(request({ name: 'web.example.test.', id: 1 }), broken);
    const waiters = [2, 3].map((id) => rig.ask({ name: 'web.example.test.', id }));
    release();
    await assert.rejects(Promise.resolve(first), /client socket gone/);
    const replies = await Promise.all(waiters);
    assert.deepEqual(
      replies.map((w) => inspect(w.reply as Buffer).id),
      [2, 3],
    );
    assert.equal(rig.next.calls, 1);
    assert.equal(rig.store.stats.coalesced, 2);
  });

  it('stores and relays an answer from a next plugin that answers synchronously, without a promise', async () => {
    const rig = cacheRig('cache', answerA(60));
    const w = new RecordingWriter();
    const outcome = rig.cache.serveDNS(request({ name: 'web.example.test.', id: 7 }), w);
    assert.ok(!(outcome instanceof Promise), 'the miss completed in the same turn');
    assert.equal(outcome, Rcode.NOERROR);
    assert.equal(inspect(w.reply as Buffer).id, 7);
    assert.equal((await rig.ask({ name: 'web.example.test.', id: 8 })).rcode, Rcode.NOERROR);
    assert.equal(rig.next.calls, 1, 'the second query was a hit');
  });

  it('lets waiters fetch for themselves when the shared answer could not be cached', async () => {
    const rig = cacheRig('cache', (req) =>
      buildResponse({ query: req.query.wire, rcode: Rcode.REFUSED }),
    );
    const replies = await Promise.all([
      rig.ask({ name: 'a.example.test.', id: 1 }),
      rig.ask({ name: 'a.example.test.', id: 2 }),
    ]);
    assert.deepEqual(
      replies.map((w) => inspect(w.reply as Buffer).id),
      [1, 2],
    );
    assert.equal(rig.next.calls, 2);
  });

  it('clears the pending miss when storing the reply throws, so the next query fetches again', async (t) => {
    const rig = cacheRig('cache', answerA(60));
    const put = t.mock.method(rig.store, 'put', () => {
      throw new Error('store broke');
    });
    await assert.rejects(rig.ask({ name: 'web.example.test.', id: 1 }), /store broke/);
    put.mock.restore();
    const w = await rig.ask({ name: 'web.example.test.', id: 2 });
    assert.equal(inspect(w.reply as Buffer).id, 2);
    assert.equal(rig.next.calls, 2);
    assert.equal((await rig.ask({ name: 'web.example.test.', id: 3 })).rcode, Rcode.NOERROR);
    assert.equal(rig.next.calls, 2, 'the retried answer was stored');
  });
});
