// The test client's TCP framing under hostile chunking, and its UDP ID matching. The servers
// here are hand-written so the byte boundaries are exactly what each test says.

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { FrameReader, frame } from '../../src/dns/framing.ts';
import { buildTestQuery, messageId, QueryTimeoutError, query, tcpSession } from './client.ts';
import { inspect } from './inspect.ts';
import { freePort } from './ports.ts';
import { buildResponse } from './rr.ts';

type Writer = (sock: Socket, replies: Buffer[]) => Promise<void>;

/** A TCP server that collects `batch` queries, then lets `write` send all their replies. */
async function chunkingServer(
  t: { after(fn: () => Promise<void>): void },
  batch: number,
  write: Writer,
): Promise<number> {
  const open = new Set<Socket>();
  const server = createServer((sock) => {
    open.add(sock);
    sock.setNoDelay(true);
    const reader = new FrameReader();
    const replies: Buffer[] = [];
    sock.on('data', (chunk: Buffer) => {
      for (const q of reader.push(chunk)) {
        replies.push(
          frame(
            buildResponse({
              query: q,
              answer: [{ name: 'x.test.', type: 'A', address: `192.0.2.${messageId(q) % 256}` }],
            }),
          ),
        );
      }
      if (replies.length === batch) void write(sock, replies.splice(0));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const sock of open) sock.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const addr = server.address();
  assert.ok(addr !== null && typeof addr === 'object');
  return addr.port;
}

// The pause between bytes is the behaviour under test: each byte arrives in its own segment.
const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

describe('test client', () => {
  it('reads a TCP reply written one byte at a time', async (t) => {
    const port = await chunkingServer(t, 1, async (sock, replies) => {
      for (const b of Buffer.concat(replies)) {
        sock.write(Buffer.from([b]));
        await pause();
      }
    });
    const r = inspect(
      await query({ host: '127.0.0.1', port, proto: 'tcp', name: 'x.test.', id: 7 }),
    );
    assert.equal(r.id, 7);
    assert.equal(r.answer[0]?.data, '192.0.2.7');
  });

  it('matches pipelined replies that arrive reversed, merged and split mid-frame', async (t) => {
    const port = await chunkingServer(t, 5, async (sock, replies) => {
      // Reverse order, then cut the byte stream at odd offsets that straddle frame boundaries.
      const stream = Buffer.concat(replies.reverse());
      for (const [from, to] of [
        [0, 1],
        [1, 40],
        [40, 41],
        [41, 150],
        [150, stream.length],
      ]) {
        sock.write(stream.subarray(from, to));
        await pause();
      }
    });
    const session = await tcpSession('127.0.0.1', port);
    t.after(() => session.close());
    const ids = [11, 12, 13, 14, 15];
    const replies = await session.pipeline(ids.map((id) => ({ name: 'x.test.', id })));
    assert.deepEqual(replies.map(messageId), ids);
    assert.deepEqual(session.replies.map(messageId), [...ids].reverse());
    assert.deepEqual(
      replies.map((r) => inspect(r).answer[0]?.data),
      ids.map((id) => `192.0.2.${id}`),
    );
  });

  it('ignores UDP datagrams with another ID and times out cleanly', async (t) => {
    const sock = createSocket('udp4');
    let mode: 'stray-first' | 'silent' = 'stray-first';
    sock.on('message', (msg, rinfo) => {
      if (mode === 'silent') return;
      const stray = buildResponse({ query: msg, id: (messageId(msg) + 1) & 0xffff });
      sock.send(stray, rinfo.port, rinfo.address);
      // The real answer trails the stray, as an honest reply behind a spoofed one would.
      setTimeout(() => sock.send(buildResponse({ query: msg }), rinfo.port, rinfo.address), 5);
    });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    t.after(() => new Promise<void>((r) => sock.close(() => r())));
    const port = sock.address().port;
    const reply = await query({ host: '127.0.0.1', port, proto: 'udp', name: 'x.test.', id: 500 });
    assert.equal(messageId(reply), 500);
    mode = 'silent';
    await assert.rejects(
      query({ host: '127.0.0.1', port, proto: 'udp', name: 'x.test.', timeoutMs: 50 }),
      QueryTimeoutError,
    );
  });

  it('sends raw bytes verbatim and refuses non-loopback targets', async (t) => {
    const port = await chunkingServer(t, 1, async (sock, replies) => {
      sock.write(Buffer.concat(replies));
    });
    const raw = buildTestQuery({ name: 'x.test.', id: 42, edns: true });
    assert.equal(messageId(await query({ host: '127.0.0.1', port, proto: 'tcp', raw })), 42);
    assert.throws(
      () => query({ host: '192.0.2.1', port: 53, proto: 'udp', name: 'x.test.' }),
      /non-loopback/,
    );
    await assert.rejects(tcpSession('127.0.0.1', await freePort()), { code: 'ECONNREFUSED' });
  });
});
