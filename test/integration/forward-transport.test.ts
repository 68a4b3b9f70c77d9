// The forward handler over real sockets: pipelining, ID remapping, byte fidelity, transport
// choice, connection reuse and expiry.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildQuery } from '../../src/dns/build.ts';
import { nameToWire } from '../../src/dns/name.ts';
import { scanQuery } from '../../src/dns/query.ts';
import { FAST, makeForward, request, run, sleep } from './forward-support/harness.ts';
import { answerFor, startUpstream } from './forward-support/upstream.ts';

/** `q17.example.` → 10.0.0.17, so each answer shows which question it belongs to. */
function indexOf(qname: string): number {
  return Number(/^q(\d+)\./i.exec(qname)?.[1] ?? 0);
}

test('many queries pipelined on one TCP connection, answered out of order', async (t) => {
  let arrivals = 0;
  const up = await startUpstream((q) => {
    // Later arrivals answer sooner: the replies come back in reverse order.
    const delayMs = 60 - Math.min(arrivals++, 30) * 2;
    return { reply: answerFor(q.wire, { address: [10, 0, 0, indexOf(q.qname)] }), delayMs };
  });
  // One connection allowed: everything must share it.
  const fwd = makeForward(`forward . ${up.address} { force_tcp }`, {
    ...FAST,
    maxTcpConnections: 1,
  });
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  // Every client uses the same ID: the upstream must still see distinct ones.
  const reqs = Array.from({ length: 30 }, (_, i) => request(`q${i}.example.`, { id: 7 }));
  const results = await Promise.all(reqs.map((r) => run(fwd, r)));
  for (const [i, r] of results.entries()) {
    assert.equal(r.error, undefined);
    assert.equal(r.rcode, 0);
    const reply = r.w.reply as Buffer;
    assert.equal(reply.readUInt16BE(0), 7, 'client ID restored');
    assert.deepEqual(
      [...reply.subarray(reply.length - 4)],
      [10, 0, 0, i],
      'answer matches its question',
    );
    assert.equal(r.w.plugin, 'forward');
  }
  assert.equal(up.tcpConnections(), 1, 'one connection carried all 30');
  assert.equal(new Set(up.seen.map((s) => s.id)).size, 30, 'distinct IDs in flight');
  const arrivalOrder = up.seen.map((s) => indexOf(s.qname));
  assert.deepEqual(
    arrivalOrder,
    [...arrivalOrder].sort((a, b) => a - b),
    'sent in order',
  );
  const stats = fwd.upstreams[0]?.stats;
  assert.equal(stats?.connCacheMisses.tcp, 1);
  assert.equal(stats?.connCacheHits.tcp, 29);
  assert.equal(stats?.requests, 30);
  assert.equal(stats?.responses.get(0), 30);
});

test('a burst opens connections up to the cap, then pipelines onto them', async (t) => {
  const up = await startUpstream((q) => ({ reply: answerFor(q.wire), delayMs: 30 }));
  const fwd = makeForward(`forward . ${up.address} { force_tcp }`, {
    ...FAST,
    maxTcpConnections: 4,
    pipelineDepth: 16,
  });
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) => run(fwd, request(`b${i}.example.`))),
  );
  assert.ok(results.every((r) => r.rcode === 0));
  assert.equal(up.tcpConnections(), 4);
  const perConn = [0, 1, 2, 3].map((c) => up.seen.filter((s) => s.conn === c).length);
  // One query each opens the four, then the rest fill the first with room (16 deep) in turn;
  // past 4 x 16 the least loaded takes the rest.
  assert.deepEqual(perConn, [25, 25, 25, 25]);
});

test('the query goes upstream byte for byte except the ID (EDNS, case, flags kept)', async (t) => {
  const up = await startUpstream((q) => ({ reply: answerFor(q.wire) }));
  const fwd = makeForward(`forward . ${up.address}`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const wire = buildQuery(0x1234, nameToWire('MiXeD.Example.ORG.'), 28, {
    edns: true,
    dnssecOk: true,
  });
  wire.writeUInt16BE(wire.readUInt16BE(2) | 0x0010, 2); // CD
  const req = { ...request('x.'), query: scanQuery(wire) };
  const r = await run(fwd, req);
  assert.equal(r.rcode, 0);
  const sent = up.seen[0]?.wire as Buffer;
  assert.deepEqual(sent.subarray(2), wire.subarray(2));
  assert.equal((r.w.reply as Buffer).readUInt16BE(0), 0x1234);
});

test('transport follows the client, force_tcp and prefer_udp (CoreDNS TestProtocolSelection)', async (t) => {
  const up = await startUpstream((q) => ({ reply: answerFor(q.wire) }));
  t.after(() => up.stop());
  const cases: [string, 'udp' | 'tcp', 'udp' | 'tcp'][] = [
    ['', 'udp', 'udp'],
    ['', 'tcp', 'tcp'],
    ['force_tcp', 'udp', 'tcp'],
    ['force_tcp', 'tcp', 'tcp'],
    ['prefer_udp', 'udp', 'udp'],
    ['prefer_udp', 'tcp', 'udp'],
    ['force_tcp\nprefer_udp', 'udp', 'tcp'],
    ['force_tcp\nprefer_udp', 'tcp', 'tcp'],
  ];
  for (const [options, client, expected] of cases) {
    const fwd = makeForward(`forward . ${up.address} {\n${options}\n}`);
    const before = up.seen.length;
    const r = await run(fwd, request('proto.example.', { transport: client }));
    fwd.close();
    assert.equal(r.rcode, 0);
    assert.equal(up.seen[before]?.proto, expected, `${options || 'no option'} / ${client} client`);
  }
});

test('few queries in flight each get an idle connection rather than pipelining', async (t) => {
  const up = await startUpstream((q) => ({ reply: answerFor(q.wire), delayMs: 20 }));
  const fwd = makeForward(`forward . ${up.address} { force_tcp }`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  await Promise.all([0, 1, 2].map((i) => run(fwd, request(`i${i}.example.`))));
  assert.equal(up.tcpConnections(), 3);
  await Promise.all([0, 1, 2].map((i) => run(fwd, request(`j${i}.example.`))));
  assert.equal(up.tcpConnections(), 3, 'the idle ones are reused');
});

test('an idle connection is reused, and not after expire', async (t) => {
  const up = await startUpstream((q) => ({ reply: answerFor(q.wire) }));
  const fwd = makeForward(`forward . ${up.address} {\nforce_tcp\nexpire 150ms\n}`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  for (let i = 0; i < 3; i++) assert.equal((await run(fwd, request(`r${i}.example.`))).rcode, 0);
  assert.equal(up.tcpConnections(), 1);
  // Past `expire` (150 ms). The pool reads performance.now() itself (src/upstream, no clock to
  // inject); a sleep past a timer is safe under load: it can only be longer, never shorter.
  await sleep(250);
  assert.equal((await run(fwd, request('after.example.'))).rcode, 0);
  assert.equal(up.tcpConnections(), 2);
  const stats = fwd.upstreams[0]?.stats;
  assert.equal(stats?.connCacheMisses.tcp, 2);
  assert.equal(stats?.connCacheHits.tcp, 2);
});

test('UDP: several queries in flight share sockets and are matched by ID', async (t) => {
  const up = await startUpstream((q) => ({
    reply: answerFor(q.wire, { address: [10, 0, 1, indexOf(q.qname)] }),
    delayMs: 40 - indexOf(q.qname),
  }));
  const fwd = makeForward(`forward . ${up.address}`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => run(fwd, request(`q${i}.example.`, { id: 99 }))),
  );
  for (const [i, r] of results.entries()) {
    assert.equal(r.rcode, 0);
    const reply = r.w.reply as Buffer;
    assert.equal(reply.readUInt16BE(0), 99);
    assert.equal(reply[reply.length - 1], i);
  }
  assert.ok(up.seen.every((s) => s.proto === 'udp'));
  assert.equal(fwd.upstreams[0]?.stats.connCacheMisses.udp, 4, 'four sockets, opened on demand');
});
