// Each TCP limit over real sockets, with small limits so the test is quick: the absolute read
// deadline against a trickling client, the idle timeout, the per-client and total connection
// caps (eviction of the biggest holder's idlest connection), oversized frames, and pipelined
// queries beyond the in-flight cap. Each closure is counted in
// coredns_nodecache_tcp_connections_closed_total{reason}. Clients use 127.0.0.x source
// addresses to look like different pods.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { type App, startApp } from '../../src/app.ts';
import { frame } from '../../src/dns/framing.ts';
import type { TcpLimits } from '../../src/server/tcp-limits.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { buildTestQuery, type TcpSession, tcpSession } from '../helpers/client.ts';
import { type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { parseExposition, until, value } from './observe-helpers.ts';

const HOST = '127.0.0.1';
const CLOSED = 'coredns_nodecache_tcp_connections_closed_total';

async function agentWith(
  t: TestContext,
  limits: Partial<TcpLimits>,
): Promise<{
  app: App;
  port: number;
  upstream: FakeUpstream;
  closed: (reason: string) => number;
}> {
  // `slow.` names are answered after 400 ms, so queries stay in flight for a while; `big.`
  // names get 60 records (about 1 KiB).
  const upstream = await startFakeUpstream((q) => ({
    kind: 'reply',
    delayMs: q.qname.startsWith('slow.') ? 400 : 0,
    wire: buildResponse({
      query: q.wire,
      answer: Array.from({ length: q.qname.startsWith('big.') ? 60 : 1 }, (_, i) =>
        rr(`${q.qname} 60 IN A 192.0.2.${i + 1}`),
      ),
    }),
  }));
  t.after(() => upstream.stop());
  const app = await startApp({
    corefileText: `.:0 {\n bind ${HOST}\n cache 30\n forward . ${upstream.address}\n}\n`,
    log: memoryLogger(),
    drainMs: 200,
    tcpLimits: limits,
  });
  t.after(() => app.stop());
  await app.serving;
  const port = app.listeners()[0]?.port ?? 0;
  const closed = (reason: string): number =>
    value(parseExposition(app.services.renderMetrics()), CLOSED, { reason });
  return { app, port, upstream, closed };
}

const open = (port: number, localAddress = HOST): Promise<TcpSession> =>
  tcpSession(HOST, port, { localAddress });

/**
 * Connects without sending and resolves once the agent closed the connection (a refused
 * connection may be reset before the client even saw it open); rejects if it is still open
 * after `ms`.
 */
function closedByAgent(port: number, localAddress: string, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: HOST, port, localAddress });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`connection from ${localAddress} still open after ${ms} ms`));
    }, ms);
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('TCP limits', () => {
  it('closes a trickling client at the read deadline armed at the first byte', async (t) => {
    const { port, closed } = await agentWith(t, { readTimeoutMs: 600, idleTimeoutMs: 10_000 });
    const s = await open(port);
    const firstByteAt = performance.now();
    let sent = 0;
    // One byte every 150 ms of a frame announcing 300 bytes: each byte would reset an
    // inactivity timer, but not the deadline. The trickle is the behaviour under test.
    const header = Buffer.from([0x01, 0x2c]);
    const trickle = setInterval(() => {
      if (s.isClosed) return;
      s.writeRaw(sent < 2 ? header.subarray(sent, sent + 1) : Buffer.from([0])).catch(() => {});
      sent++;
    }, 150);
    t.after(() => clearInterval(trickle));
    await Promise.race([
      s.closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('still open after 5 s')), 5000)),
    ]);
    const heldMs = performance.now() - firstByteAt;
    clearInterval(trickle);
    assert.ok(sent >= 3, `only ${sent} bytes were trickled`);
    assert.ok(heldMs >= 550 && heldMs < 3000, `held for ${heldMs} ms`);
    assert.equal(closed('read_deadline'), 1);
  });

  it('answers a query, then closes the connection after the idle timeout', async (t) => {
    const { port, closed } = await agentWith(t, { idleTimeoutMs: 300 });
    const s = await open(port);
    await s.send({ name: 'a.example.' });
    await s.closed;
    assert.equal(closed('idle'), 1);
  });

  it('caps connections per client address and still admits other clients', async (t) => {
    const { app, port, closed } = await agentWith(t, { maxConnectionsPerClient: 3 });
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await open(port, '127.0.0.2'));
    await Promise.all([closedByAgent(port, '127.0.0.2'), closedByAgent(port, '127.0.0.2')]);
    assert.equal(closed('client_limit'), 2);
    const other = await open(port, '127.0.0.3');
    assert.ok((await other.send({ name: 'b.example.' })).length > 12);
    for (const s of held) assert.ok((await s.send({ name: 'c.example.' })).length > 12);
    const openNow = (): number =>
      value(parseExposition(app.services.renderMetrics()), 'coredns_nodecache_tcp_connections');
    assert.equal(openNow(), 4);
    for (const s of [...held, other]) s.close();
    await until('the agent saw every connection close', () => openNow() === 0);
  });

  it('at the total cap closes the idlest connection of the biggest holder for a newcomer', async (t) => {
    const { port, closed } = await agentWith(t, { maxConnections: 4 });
    const big = [];
    for (let i = 0; i < 3; i++) {
      const s = await open(port, '127.0.0.2');
      await s.send({ name: `big${i}.example.` });
      big.push(s);
    }
    const small = await open(port, '127.0.0.3');
    await small.send({ name: 'small.example.' });
    const newcomer = await open(port, '127.0.0.4');
    assert.ok((await newcomer.send({ name: 'new.example.' })).length > 12);
    // big[0] answered its query first, so it was the idlest.
    await big[0]?.closed;
    assert.deepEqual(
      big.map((s) => s.isClosed),
      [true, false, false],
    );
    assert.equal(small.isClosed, false);
    assert.equal(closed('evicted'), 1);
    for (const s of [...big, small, newcomer]) s.close();
  });

  it('refuses a newcomer at the total cap when every connection has a query in flight', async (t) => {
    const { port, closed, upstream } = await agentWith(t, { maxConnections: 2 });
    const busy = await Promise.all([open(port, '127.0.0.2'), open(port, '127.0.0.3')]);
    const answers = busy.map((s, i) => s.send({ name: `slow.${i}.example.` }));
    await until('both queries reached the upstream', () => upstream.queries.length === 2);
    await closedByAgent(port, '127.0.0.4');
    assert.equal(closed('connection_limit'), 1);
    for (const a of await Promise.all(answers)) assert.ok(a.length > 12);
    for (const s of busy) s.close();
  });

  it('closes a connection announcing a frame over the size limit', async (t) => {
    const { port, closed } = await agentWith(t, { maxQueryBytes: 512 });
    const s = await open(port);
    await s.writeRaw(Buffer.from([0x02, 0x01]));
    await s.closed;
    assert.equal(closed('frame_too_large'), 1);
  });

  it('closes a connection whose client does not read its replies', async (t) => {
    const { port, closed } = await agentWith(t, { maxWriteBacklogBytes: 64 * 1024 });
    const sock = connect({ host: HOST, port });
    sock.on('error', () => {});
    sock.pause(); // never read: replies pile up in the kernel, then in the agent
    const wire = frame(buildTestQuery({ name: 'big.example.', id: 7 }));
    const done = new Promise<void>((resolve) => sock.on('close', () => resolve()));
    // About 8 MiB of replies in all, far beyond the kernel's socket buffers.
    for (let batch = 0; batch < 80 && !sock.destroyed; batch++) {
      sock.write(Buffer.concat(Array.from({ length: 100 }, () => wire)));
      await new Promise((r) => setTimeout(r, 20)); // paced, so the agent answers between batches
    }
    await done;
    assert.equal(closed('write_backlog'), 1);
  });

  it('pauses reading past the in-flight cap and answers every pipelined query', async (t) => {
    const { app, port } = await agentWith(t, { maxInFlightPerConnection: 4 });
    const s = await open(port);
    const replies = await s.pipeline(
      Array.from({ length: 12 }, (_, i) => ({ name: `slow.p${i}.example.` })),
      5000,
    );
    assert.equal(replies.length, 12);
    const pauses = value(
      parseExposition(app.services.renderMetrics()),
      'coredns_nodecache_tcp_pipeline_pauses_total',
    );
    assert.ok(pauses >= 1, `pauses ${pauses}`);
    s.close();
  });
});
