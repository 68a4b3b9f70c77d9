// Upstream failures: refused, slow, truncated, dropped mid-stream, flapping; the bounded
// SERVFAIL; health checks. Timeouts are shortened (FAST: 300 ms read, 1.5 s window). Tests wait
// on the upstream's state (down, fails, what it saw), not for fixed times; where a duration is the
// behaviour, the bound is a few times the nominal one, or the test uses long timeouts
// (PATIENT) so that "no wait for a timeout" holds however loaded the machine is.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Flag } from '../../src/dns/constants.ts';
import { until } from '../helpers/wait.ts';
import { FAST, makeForward, request, run } from './forward-support/harness.ts';
import { answerFor, deadPort, startUpstream } from './forward-support/upstream.ts';

/** Timeouts far longer than anything a passing test waits for: a timeout would show. */
const PATIENT = { ...FAST, readTimeoutMs: 5000, connectTimeoutMs: 5000, windowMs: 15_000 };

test('refused upstream: fails over to the next one', async (t) => {
  const dead = await deadPort();
  const up = await startUpstream((q) => ({ reply: answerFor(q.wire) }));
  const fwd = makeForward(
    `forward . 127.0.0.1:${dead} ${up.address} {\nforce_tcp\npolicy sequential\n}`,
  );
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const r = await run(fwd, request('refused.example.'));
  assert.equal(r.rcode, 0);
  assert.equal(up.seen.length, 1);
  assert.equal(fwd.upstreams[0]?.stats.requests, 1);
});

test('every upstream refused: SERVFAIL within the window, with the last error', async (t) => {
  const a = await deadPort();
  const b = await deadPort();
  const fwd = makeForward(
    `forward . 127.0.0.1:${a} 127.0.0.1:${b} {\nforce_tcp\nhealth_check 50ms\n}`,
  );
  t.after(() => fwd.close());
  const r = await run(fwd, request('down.example.'));
  assert.equal(r.rcode, undefined);
  assert.equal(r.error?.rcode, 2);
  assert.match(r.error?.message ?? '', /plugin\/forward: connect failed/);
  // Refused connects fail at once; without the window the retries would go on for ever.
  assert.ok(r.ms < FAST.windowMs * 3, `took ${r.ms} ms`);
  assert.equal(r.w.written, false);
});

test('all upstreams down by health check: exactly one attempt, then SERVFAIL (TestAllUpstreamsDown)', async (t) => {
  const a = await deadPort();
  const fwd = makeForward(`forward . 127.0.0.1:${a} {\nmax_fails 1\nhealth_check 20ms\n}`);
  t.after(() => fwd.close());
  await run(fwd, request('first.example.')); // fails and starts the probe loop
  const upstream = fwd.upstreams[0];
  // probes to a closed UDP port fail fast: two failures mark it down
  await until('the upstream marked down', () => upstream?.down === true);
  const before = upstream?.stats.requests ?? 0;
  const r = await run(fwd, request('second.example.'));
  assert.equal(r.error?.rcode, 2);
  assert.equal((upstream?.stats.requests ?? 0) - before, 1);
  assert.ok(fwd.stats.healthcheckBroken >= 1);
  assert.ok((upstream?.stats.healthcheckFailures ?? 0) >= 2);
});

test('failfast_all_unhealthy_upstreams: no upstream query once all are down', async (t) => {
  const a = await deadPort();
  const fwd = makeForward(
    `forward . 127.0.0.1:${a} {\nmax_fails 1\nhealth_check 20ms\nfailfast_all_unhealthy_upstreams\n}`,
  );
  t.after(() => fwd.close());
  await run(fwd, request('first.example.'));
  await until('the upstream marked down', () => fwd.upstreams[0]?.down === true);
  const before = fwd.upstreams[0]?.stats.requests;
  const r = await run(fwd, request('second.example.'));
  assert.equal(r.error?.rcode, 2);
  assert.match(r.error?.message ?? '', /no healthy proxies/);
  assert.equal(fwd.upstreams[0]?.stats.requests, before);
});

test('slow upstream (answers after the read timeout): the next upstream answers', async (t) => {
  const slow = await startUpstream((q) =>
    q.qname === 'slow.example.'
      ? { reply: answerFor(q.wire, { address: [1, 1, 1, 1] }), delayMs: FAST.readTimeoutMs + 200 }
      : { reply: answerFor(q.wire, { address: [3, 3, 3, 3] }) },
  );
  const fast = await startUpstream((q) => ({
    reply: answerFor(q.wire, { address: [2, 2, 2, 2] }),
  }));
  const fwd = makeForward(`forward . ${slow.address} ${fast.address} {\npolicy sequential\n}`);
  t.after(async () => {
    fwd.close();
    await Promise.all([slow.stop(), fast.stop()]);
  });
  const r = await run(fwd, request('slow.example.'));
  assert.equal(r.rcode, 0);
  // 2.2.2.2 proves the slow answer was not awaited; the time proves the read timeout came first.
  assert.deepEqual([...(r.w.reply as Buffer).subarray(-4)], [2, 2, 2, 2]);
  assert.ok(r.ms >= FAST.readTimeoutMs - 10, `took ${r.ms} ms`);
  // The late answer arrives and is dropped without harm: the next query to the slow upstream
  // gets its own answer, not the stale one.
  await until('the slow upstream sent its late answer', () => slow.repliesSent() === 1);
  const next = await run(fwd, request('next.example.'));
  assert.equal(next.rcode, 0);
  assert.deepEqual([...(next.w.reply as Buffer).subarray(-4)], [3, 3, 3, 3]);
});

test('a TCP connection with a timed-out query takes no new queries', async (t) => {
  let n = 0;
  const up = await startUpstream((q) =>
    n++ === 0 ? { drop: true } : { reply: answerFor(q.wire) },
  );
  const fwd = makeForward(`forward . ${up.address} {\nforce_tcp\nmax_fails 0\n}`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const r = await run(fwd, request('stuck.example.'));
  assert.equal(r.rcode, 0, 'retried after the timeout');
  assert.equal(up.tcpConnections(), 2, 'the retry went out on a fresh connection');
});

test('prefer_udp: a truncated UDP answer is retried over TCP to the same upstream', async (t) => {
  const up = await startUpstream((q) => ({ reply: answerFor(q.wire, { tc: q.proto === 'udp' }) }));
  const fwd = makeForward(`forward . ${up.address} { prefer_udp }`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const r = await run(fwd, request('big.example.', { transport: 'tcp' }));
  assert.equal(r.rcode, 0);
  assert.deepEqual(
    up.seen.map((s) => s.proto),
    ['udp', 'tcp'],
  );
  assert.equal(((r.w.reply as Buffer).readUInt16BE(2) & Flag.TC) !== 0, false);
});

test('without prefer_udp a truncated answer goes to the client as it is', async (t) => {
  const up = await startUpstream((q) => ({ reply: answerFor(q.wire, { tc: true }) }));
  const fwd = makeForward(`forward . ${up.address}`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const r = await run(fwd, request('big.example.'));
  assert.equal(r.rcode, 0);
  assert.equal(up.seen.length, 1);
  assert.notEqual((r.w.reply as Buffer).readUInt16BE(2) & Flag.TC, 0);
});

test('TCP closed mid-stream with queries in flight: they are re-sent once and answered', async (t) => {
  let first = true;
  const up = await startUpstream((q) => {
    if (q.conn === 0) {
      // The first connection takes three queries, then the upstream closes it unanswered.
      if (first) {
        first = false;
        return { close: true, delayMs: 30 };
      }
      return { drop: true };
    }
    return { reply: answerFor(q.wire) };
  });
  const fwd = makeForward(`forward . ${up.address} { force_tcp }`, {
    ...PATIENT,
    maxTcpConnections: 1,
  });
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const results = await Promise.all([0, 1, 2].map((i) => run(fwd, request(`mid${i}.example.`))));
  assert.deepEqual(
    results.map((r) => r.rcode),
    [0, 0, 0],
  );
  assert.equal(up.tcpConnections(), 2);
  assert.ok(
    results.every((r) => r.ms < PATIENT.readTimeoutMs),
    'no wait for a timeout',
  );
});

test('TCP closed again on the retry: the query fails over at once', async (t) => {
  const closer = await startUpstream(() => ({ close: true }));
  const good = await startUpstream((q) => ({ reply: answerFor(q.wire) }));
  const fwd = makeForward(
    `forward . ${closer.address} ${good.address} {\nforce_tcp\npolicy sequential\n}`,
    PATIENT,
  );
  t.after(async () => {
    fwd.close();
    await Promise.all([closer.stop(), good.stop()]);
  });
  const r = await run(fwd, request('twice.example.'));
  assert.equal(r.rcode, 0);
  const tries = closer.seen.filter((s) => s.qname === 'twice.example.');
  assert.deepEqual(
    tries.map((s) => s.conn),
    [0, 1],
    'one retry on a new connection',
  );
  assert.equal(good.seen.length, 1);
  assert.ok(r.ms < PATIENT.readTimeoutMs, `took ${r.ms} ms`);
});

test('flapping upstream: down after failed checks, back after a good one', async (t) => {
  let up = await startUpstream((q) => ({ reply: answerFor(q.wire) }));
  const port = up.port;
  const fwd = makeForward(`forward . ${up.address} {\nmax_fails 1\nhealth_check 30ms\n}`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  assert.equal((await run(fwd, request('up.example.'))).rcode, 0);
  await up.stop();
  const failed = await run(fwd, request('gone.example.'));
  assert.equal(failed.error?.rcode, 2);
  const upstream = fwd.upstreams[0];
  await until('the upstream marked down', () => upstream?.down === true);
  // Back on the same port: the running probe loop sees it and clears the failures.
  up = await startUpstream((q) => ({ reply: answerFor(q.wire) }), port);
  await until('the upstream back up', () => upstream?.down === false);
  assert.equal(upstream?.fails, 0);
  assert.equal((await run(fwd, request('back.example.'))).rcode, 0);
  assert.ok(
    up.seen.some((s) => s.qname === '.'),
    'the probe is a `. IN NS` query',
  );
});

test('a malformed answer counts as a failed exchange and fails over', async (t) => {
  const junk = await startUpstream((q) => ({
    reply: Buffer.concat([answerFor(q.wire).subarray(0, 14), Buffer.from([0xff])]),
  }));
  const good = await startUpstream((q) => ({ reply: answerFor(q.wire) }));
  const fwd = makeForward(
    `forward . ${junk.address} ${good.address} {\nforce_tcp\npolicy sequential\n}`,
  );
  t.after(async () => {
    fwd.close();
    await Promise.all([junk.stop(), good.stop()]);
  });
  const r = await run(fwd, request('junk.example.'));
  assert.equal(r.rcode, 0);
  assert.equal(good.seen.length, 1);
});

test('shutdown fails queries in flight with SERVFAIL', async (t) => {
  const up = await startUpstream(() => ({ drop: true }));
  const fwd = makeForward(`forward . ${up.address}`, PATIENT);
  t.after(() => up.stop());
  const pending = run(fwd, request('late.example.'));
  await until('the query reached the upstream', () => up.seen.length === 1);
  fwd.close();
  const r = await pending;
  assert.equal(r.error?.rcode, 2);
  assert.ok(r.ms < PATIENT.readTimeoutMs, `took ${r.ms} ms: the read timeout, not the shutdown`);
});

test('refused connects while the health checks catch up stay bounded', async (t) => {
  const a = await deadPort();
  const fwd = makeForward(`forward . 127.0.0.1:${a} {\nforce_tcp\nhealth_check 50ms\n}`);
  t.after(() => fwd.close());
  const r = await run(fwd, request('spin.example.'));
  assert.equal(r.error?.rcode, 2);
  // Without the pause between passes this was hundreds of connects in ~100 ms.
  const attempts = fwd.upstreams[0]?.stats.requests ?? 0;
  assert.ok(attempts <= 10, `${attempts} attempts`);
});
