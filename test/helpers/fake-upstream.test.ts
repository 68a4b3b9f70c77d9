// The scripted upstream: recording, every action kind, and pipelined TCP answered out of order.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RRType } from '../../src/dns/constants.ts';
import { frame } from '../../src/dns/framing.ts';
import { buildTestQuery, QueryTimeoutError, query, tcpSession } from './client.ts';
import { drop, type FakeUpstream, reply, startFakeUpstream } from './fake-upstream.ts';
import { inspect } from './inspect.ts';
import { buildResponse } from './rr.ts';

/** Answers `<n>.test. A` with 192.0.2.<n>; the first label of the name selects a delay in ms. */
async function numbered(t: { after(fn: () => Promise<void>): void }): Promise<FakeUpstream> {
  const up = await startFakeUpstream((q) => {
    const n = Number(q.qname.split('.')[0]);
    const wire = buildResponse({
      query: q.wire,
      answer: [{ name: q.qname, type: 'A', address: `192.0.2.${n % 256}` }],
    });
    return reply(wire, n);
  });
  t.after(() => up.stop());
  return up;
}

describe('fake upstream', () => {
  it('answers over UDP and TCP on one port and records every query', async (t) => {
    const up = await numbered(t);
    const target = { host: up.host, port: up.port };
    const u = inspect(await query({ ...target, proto: 'udp', name: '1.test.', type: 'A' }));
    const tcp = inspect(
      await query({
        ...target,
        proto: 'tcp',
        name: '2.Test.',
        type: 'A',
        edns: true,
        dnssecOk: true,
      }),
    );
    assert.equal(u.answer[0]?.data, '192.0.2.1');
    assert.equal(tcp.answer[0]?.data, '192.0.2.2');
    assert.equal(up.queries.length, 2);
    assert.deepEqual(
      up.queries.map((q) => [q.proto, q.qname, q.qtype, q.hasEdns, q.dnssecOk]),
      [
        ['udp', '1.test.', RRType.A, false, false],
        ['tcp', '2.Test.', RRType.A, true, true],
      ],
    );
    assert.equal(up.count({ proto: 'tcp' }), 1);
    assert.equal(up.count({ qname: '2.test' }), 1);
    assert.equal(up.tcpConnections, 1);
    up.reset();
    assert.equal(up.count(), 0);
  });

  it('answers pipelined TCP queries out of order when delays differ', async (t) => {
    const up = await numbered(t);
    const session = await tcpSession(up.host, up.port);
    t.after(() => session.close());
    const names = ['120.test.', '60.test.', '1.test.'];
    const replies = await session.pipeline(names.map((name, i) => ({ name, id: 100 + i })));
    // Matched by ID, whatever the arrival order...
    assert.deepEqual(
      replies.map((r) => inspect(r).answer[0]?.data),
      ['192.0.2.120', '192.0.2.60', '192.0.2.1'],
    );
    // ...and they did arrive fastest first, all on one connection.
    assert.deepEqual(
      session.replies.map((r) => r.readUInt16BE(0)),
      [102, 101, 100],
    );
    assert.equal(up.tcpConnections, 1);
    assert.deepEqual(
      up.queries.map((q) => q.connection),
      [0, 0, 0],
    );
  });

  it('reassembles queries written one byte at a time', async (t) => {
    const up = await numbered(t);
    const session = await tcpSession(up.host, up.port);
    t.after(() => session.close());
    const a = buildTestQuery({ name: '3.test.', id: 1 });
    const b = buildTestQuery({ name: '4.test.', id: 2 });
    const waiting = Promise.all([session.waitFor(1), session.waitFor(2)]);
    await session.writeRaw(Buffer.concat([frame(a), frame(b)]), 1);
    const [ra, rb] = await waiting;
    assert.equal(inspect(ra).answer[0]?.data, '192.0.2.3');
    assert.equal(inspect(rb).answer[0]?.data, '192.0.2.4');
  });

  it('drops, truncates, closes mid-frame and records handler errors', async (t) => {
    const up = await startFakeUpstream((q) => {
      if (q.qname.startsWith('drop')) return drop();
      if (q.qname.startsWith('tc')) return { kind: 'truncated' };
      if (q.qname.startsWith('close'))
        return { kind: 'close', partial: Buffer.from([0, 40, 1, 2, 3]) };
      if (q.qname.startsWith('slow'))
        return { kind: 'reply', wire: buildResponse({ query: q.wire }), delayMs: 10, chunkSize: 3 };
      throw new Error('handler failure');
    });
    t.after(() => up.stop());
    const target = { host: up.host, port: up.port, timeoutMs: 5000 };
    // A short timeout only where no answer is the expected outcome.
    const unanswered = { ...target, timeoutMs: 150 };
    await assert.rejects(
      query({ ...unanswered, proto: 'udp', name: 'drop.test.' }),
      QueryTimeoutError,
    );
    const tc = inspect(await query({ ...target, proto: 'udp', name: 'tc.test.' }));
    assert.deepEqual(tc.flags, ['qr', 'tc', 'rd', 'ra']);
    assert.equal(tc.question?.name, 'tc.test.');
    const slow = inspect(await query({ ...target, proto: 'tcp', name: 'slow.test.' }));
    assert.equal(slow.status, 'NOERROR');

    const session = await tcpSession(up.host, up.port);
    const pending = session.send({ name: 'close.test.' });
    await assert.rejects(pending, /closed before the reply/);
    await session.closed;
    assert.equal(session.replies.length, 0);

    await assert.rejects(
      query({ ...unanswered, proto: 'udp', name: 'boom.test.' }),
      QueryTimeoutError,
    );
    assert.equal(up.errors.length, 1);
  });

  it('records malformed packets without a name and keeps serving', async (t) => {
    const up = await numbered(t);
    // The handler still runs (here it answers with an empty reply carrying the ID).
    const garbage = await query({
      host: up.host,
      port: up.port,
      proto: 'udp',
      raw: Buffer.from([0, 9, 1]),
    });
    assert.equal(garbage.readUInt16BE(0), 9);
    assert.equal(garbage.readUInt16BE(4), 0);
    assert.equal(up.queries[0]?.qname, '');
    assert.equal(up.queries[0]?.id, 9);
    const ok = await query({ host: up.host, port: up.port, proto: 'udp', name: '5.test.' });
    assert.equal(inspect(ok).answer[0]?.data, '192.0.2.5');
  });
});
