// The forward handler's decisions: zone and except, max_concurrent, answer matching, policies,
// failover and next.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rcode } from '../../src/dns/constants.ts';
import { nameToWire } from '../../src/dns/name.ts';
import { ForwardHandler } from '../../src/plugins/forward/forward.ts';
import { memoryLogger } from '../../src/util/log.ts';
import {
  FAST,
  forwardConfig,
  makeForward,
  NextRecorder,
  request,
  run,
} from './forward-support/harness.ts';
import { answerFor, startUpstream } from './forward-support/upstream.ts';

test('names outside FROM, or inside except, go to the next plugin; FROM itself is forwarded', async (t) => {
  const up = await startUpstream((q) => ({ reply: answerFor(q.wire) }));
  const next = new NextRecorder();
  const fwd = makeForward(
    `forward example.org ${up.address} {\nexcept example.org a.example.org\n}`,
    FAST,
    next,
  );
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const cases: [string, 'upstream' | 'next'][] = [
    ['example.org.', 'upstream'],
    ['EXAMPLE.Org.', 'upstream'],
    ['www.example.org.', 'next'],
    ['a.example.org.', 'next'],
    ['x.A.example.org.', 'next'],
    ['example.com.', 'next'],
    ['org.', 'next'],
    ['bexample.org.', 'next'],
  ];
  for (const [name, where] of cases) {
    const before = { up: up.seen.length, next: next.calls };
    const r = await run(fwd, request(name));
    if (where === 'next') {
      assert.equal(next.calls, before.next + 1, name);
      assert.equal(r.rcode, 5, name);
    } else {
      assert.equal(up.seen.length, before.up + 1, name);
      assert.equal(r.rcode, 0, name);
    }
  }
});

test('a FROM zone below the root matches case-insensitively on label boundaries', async (t) => {
  const up = await startUpstream((q) => ({ reply: answerFor(q.wire) }));
  const next = new NextRecorder();
  const fwd = makeForward(`forward cluster.local ${up.address}`, FAST, next);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  for (const name of ['cluster.local.', 'kube-dns.kube-system.svc.CLUSTER.local.'])
    assert.equal((await run(fwd, request(name))).rcode, 0);
  for (const name of ['xcluster.local.', 'local.', 'cluster.local.example.'])
    assert.equal((await run(fwd, request(name))).rcode, 5);
  assert.equal(next.calls, 3);
});

test('max_concurrent: queries beyond it are REFUSED without going upstream', async (t) => {
  const up = await startUpstream((q) => ({ reply: answerFor(q.wire), delayMs: 100 }));
  const fwd = makeForward(`forward . ${up.address} { max_concurrent 2 }`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const results = await Promise.all([1, 2, 3, 4].map((i) => run(fwd, request(`c${i}.example.`))));
  assert.deepEqual(
    results.map((r) => r.rcode ?? r.error?.rcode),
    [0, 0, Rcode.REFUSED, Rcode.REFUSED],
  );
  assert.match(results[2]?.error?.message ?? '', /concurrent queries exceeded maximum 2/);
  assert.equal(fwd.stats.maxConcurrentRejects, 2);
  assert.equal(up.seen.length, 2);
  assert.equal(fwd.inflight, 0);
  assert.equal((await run(fwd, request('after.example.'))).rcode, 0, 'slots are given back');
});

test('an answer to another question gets FORMERR to the client (TCP)', async (t) => {
  const up = await startUpstream((q) => {
    const wrong = Buffer.from(q.wire);
    wrong[13] = 0x78; // first letter of the name changes
    return { reply: answerFor(wrong) };
  });
  const fwd = makeForward(`forward . ${up.address} { force_tcp }`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const req = request('mismatch.example.', { id: 4242 });
  const r = await run(fwd, req);
  assert.equal(r.rcode, 0);
  const reply = r.w.reply as Buffer;
  assert.equal(reply.readUInt16BE(0), 4242);
  assert.equal(reply.readUInt16BE(2) & 0xf, Rcode.FORMERR);
  assert.deepEqual(
    reply.subarray(12, req.query.questionEnd),
    req.query.wire.subarray(12, req.query.questionEnd),
  );
});

test('an answer with QR=0 or another qtype is a mismatch too; case differences are not', async (t) => {
  const up = await startUpstream((q) => {
    const answer = answerFor(q.wire);
    if (q.qname.startsWith('noqr')) answer.writeUInt16BE(answer.readUInt16BE(2) & 0x7fff, 2);
    if (q.qname.startsWith('type')) answer.writeUInt16BE(28, 12 + nameToWire(q.qname).length);
    if (q.qname.startsWith('case')) answer[13] = (answer[13] as number) ^ 0x20;
    return { reply: answer };
  });
  const fwd = makeForward(`forward . ${up.address} { force_tcp }`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const rcodeOf = async (name: string): Promise<number> =>
    ((await run(fwd, request(name))).w.reply as Buffer).readUInt16BE(2) & 0xf;
  assert.equal(await rcodeOf('noqr.example.'), Rcode.FORMERR);
  assert.equal(await rcodeOf('type.example.'), Rcode.FORMERR);
  assert.equal(await rcodeOf('case.example.'), Rcode.NOERROR);
});

test('UDP: datagrams for another question or ID are dropped; the real answer still counts', async (t) => {
  const up = await startUpstream((q) => {
    const wrongName = Buffer.from(q.wire);
    wrongName[13] = 0x78;
    const right = answerFor(q.wire);
    const wrongId = answerFor(q.wire, { id: (q.id + 1) & 0xffff });
    const junk = Buffer.from([right[0] as number, right[1] as number, 0x81]);
    return { reply: right, before: [answerFor(wrongName), wrongId, junk], delayMs: 10 };
  });
  const fwd = makeForward(`forward . ${up.address}`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const r = await run(fwd, request('spoof.example.'));
  assert.equal(r.rcode, 0);
  assert.equal((r.w.reply as Buffer).readUInt16BE(2) & 0xf, Rcode.NOERROR);
  assert.equal(up.seen.length, 1);
});

test('UDP: only wrong answers: the query times out and ends in SERVFAIL', async (t) => {
  const up = await startUpstream((q) => {
    const wrong = Buffer.from(q.wire);
    wrong[13] = 0x78;
    return { reply: answerFor(wrong) };
  });
  const fwd = makeForward(`forward . ${up.address}`, { ...FAST, windowMs: 500 });
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const r = await run(fwd, request('spoof.example.'));
  assert.equal(r.error?.rcode, Rcode.SERVFAIL);
  assert.match(r.error?.message ?? '', /no answer within/);
});

test('policies: sequential, round_robin (first query starts at the second), random', async (t) => {
  const ups = await Promise.all(
    [0, 1, 2].map(() => startUpstream((q) => ({ reply: answerFor(q.wire) }))),
  );
  t.after(() => Promise.all(ups.map((u) => u.stop())));
  const to = ups.map((u) => u.address).join(' ');
  const firstChoice = async (policy: string, n: number): Promise<number[]> => {
    const fwd = makeForward(`forward . ${to} { policy ${policy} }`);
    const picks: number[] = [];
    for (let i = 0; i < n; i++) {
      const before = ups.map((u) => u.seen.length);
      await run(fwd, request(`p${i}.example.`));
      picks.push(ups.findIndex((u, k) => u.seen.length > (before[k] as number)));
    }
    fwd.close();
    return picks;
  };
  assert.deepEqual(await firstChoice('sequential', 4), [0, 0, 0, 0]);
  assert.deepEqual(await firstChoice('round_robin', 4), [1, 2, 0, 1]);
  const random = await firstChoice('random', 60);
  assert.equal(new Set(random).size, 3, 'random reaches every upstream');
});

test('failover: a listed rcode tries the next upstream; without it the answer is returned', async (t) => {
  const bad = await startUpstream((q) => ({ reply: answerFor(q.wire, { rcode: Rcode.SERVFAIL }) }));
  const good = await startUpstream((q) => ({ reply: answerFor(q.wire) }));
  t.after(() => Promise.all([bad.stop(), good.stop()]));
  const withFailover = makeForward(
    `forward . ${bad.address} ${good.address} {\npolicy sequential\nfailover SERVFAIL REFUSED\n}`,
  );
  const r1 = await run(withFailover, request('f.example.'));
  withFailover.close();
  assert.equal((r1.w.reply as Buffer).readUInt16BE(2) & 0xf, Rcode.NOERROR);
  const without = makeForward(`forward . ${bad.address} ${good.address} { policy sequential }`);
  const r2 = await run(without, request('f.example.'));
  without.close();
  assert.equal(r2.rcode, 0);
  assert.equal((r2.w.reply as Buffer).readUInt16BE(2) & 0xf, Rcode.SERVFAIL);
});

test('failover on every upstream cycles until the window ends, then SERVFAIL (v1.13)', async (t) => {
  const bad = await startUpstream((q) => ({
    reply: answerFor(q.wire, { rcode: Rcode.SERVFAIL }),
    delayMs: 50,
  }));
  t.after(() => bad.stop());
  const fwd = makeForward(`forward . ${bad.address} { failover SERVFAIL }`, {
    ...FAST,
    windowMs: 400,
  });
  const r = await run(fwd, request('cycle.example.'));
  fwd.close();
  // `fails` resets with each pass over the list, so a failover rcode from every upstream keeps
  // the loop going until the 5 s window (here 400 ms) ends: SERVFAIL "no healthy proxies".
  assert.equal(r.error?.rcode, Rcode.SERVFAIL);
  assert.match(r.error?.message ?? '', /no healthy proxies/);
  assert.ok(bad.seen.length >= 4, `${bad.seen.length} upstream queries`);
});

test('next: a listed rcode hands the query to the next forward line', async (t) => {
  const first = await startUpstream((q) => ({
    reply: answerFor(q.wire, { rcode: Rcode.NXDOMAIN }),
  }));
  const second = await startUpstream((q) => ({ reply: answerFor(q.wire) }));
  t.after(() => Promise.all([first.stop(), second.stop()]));
  const log = memoryLogger();
  const tail = new ForwardHandler(
    forwardConfig(`forward . ${second.address}`),
    log,
    new NextRecorder(),
    FAST,
  );
  const head = new ForwardHandler(
    forwardConfig(`forward . ${first.address} { next NXDOMAIN }`),
    log,
    tail,
    FAST,
  );
  const r = await run(head, request('n.example.'));
  head.close();
  tail.close();
  assert.equal(r.rcode, 0);
  assert.equal((r.w.reply as Buffer).readUInt16BE(2) & 0xf, Rcode.NOERROR);
  assert.equal(second.seen.length, 1);
  // A next plugin that is not a forward: the answer is written as it is.
  const alone = new ForwardHandler(
    forwardConfig(`forward . ${first.address} { next NXDOMAIN }`),
    log,
    new NextRecorder(),
    FAST,
  );
  const r2 = await run(alone, request('n.example.'));
  alone.close();
  assert.equal((r2.w.reply as Buffer).readUInt16BE(2) & 0xf, Rcode.NXDOMAIN);
});

test('max_connect_attempts caps failed exchanges per query', async (t) => {
  const silent = await startUpstream(() => ({ drop: true }));
  t.after(() => silent.stop());
  const fwd = makeForward(`forward . ${silent.address} {\nmax_connect_attempts 1\nmax_fails 0\n}`);
  const r = await run(fwd, request('cap.example.'));
  fwd.close();
  assert.equal(r.error?.rcode, Rcode.SERVFAIL);
  assert.equal(silent.seen.length, 1, 'one attempt');
  // One read timeout (300 ms), then SERVFAIL: not retried until the window (1.5 s) closes.
  assert.ok(r.ms < FAST.windowMs, `took ${r.ms} ms`);
});
