// dnstap over real sockets, decoded by the dnstap tool from Debian (a real Frame Streams reader
// that does the READY/ACCEPT/START handshake): client queries and responses over a unix socket
// and TCP, the wire messages with `full`, and a writer that drops rather than blocks when the
// collector is absent or does not read, and reconnects when it comes back.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RRType } from '../../src/dns/constants.ts';
import {
  DEFAULT_FRAMESTREAM_TUNING,
  FrameStreamWriter,
} from '../../src/plugins/dnstap/framestream.ts';
import { encodeDnstap, encodeMessage, MessageType } from '../../src/plugins/dnstap/protobuf.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { query } from '../helpers/client.ts';
import { freePort } from '../helpers/ports.ts';
import { startAgent } from './agent-harness.ts';
import { startCollector } from './dnstap-collector.ts';
import { until } from './observe-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'nld-dnstap-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const HOSTS = 'hosts {\n    192.0.2.7 tap.example\n    192.0.2.8 other.example\n  }';

function ask(port: number, name: string, proto: 'udp' | 'tcp'): Promise<Buffer> {
  return query({ host: '127.0.0.1', port, proto, name, type: RRType.A, timeoutMs: 3000 });
}

test('unix socket, full: the reader decodes our query and response messages with their names', async (t) => {
  const collector = await startCollector({ unix: join(dir, 'full.sock') });
  t.after(() => collector.stop());
  const agent = await startAgent(
    t,
    `.:0 {\n  bind 127.0.0.1\n  dnstap ${collector.endpoint} full {\n    identity node-a\n    version test-1\n  }\n  ${HOSTS}\n}\n`,
  );
  await ask(agent.port, 'tap.example.', 'udp');
  await ask(agent.port, 'other.example.', 'tcp');
  await until('four decoded messages', () => collector.messages().length >= 4, 10_000);
  const msgs = collector.messages();
  assert.deepEqual(
    msgs.map((m) => [m.message.type, m.message.socket_protocol]),
    [
      ['CLIENT_QUERY', 'UDP'],
      ['CLIENT_RESPONSE', 'UDP'],
      ['CLIENT_QUERY', 'TCP'],
      ['CLIENT_RESPONSE', 'TCP'],
    ],
  );
  for (const m of msgs) {
    assert.equal(m.type, 'MESSAGE');
    assert.equal(m.identity, 'node-a');
    assert.equal(m.version, 'test-1');
    assert.equal(m.message.socket_family, 'INET');
    assert.equal(m.message.query_address, '127.0.0.1');
    assert.ok((m.message.query_port ?? 0) > 0);
  }
  const [q1, r1, q2, r2] = msgs.map((m) => m.message);
  assert.match(q1?.query_message ?? '', /;tap\.example\.\tIN\t A/);
  assert.match(r1?.response_message ?? '', /tap\.example\.\t\d+\tIN\tA\t192\.0\.2\.7/);
  assert.match(q2?.query_message ?? '', /;other\.example\.\tIN\t A/);
  assert.match(r2?.response_message ?? '', /192\.0\.2\.8/);
  // Times: the response carries the query time too, and comes after it.
  assert.equal(r1?.query_time, q1?.query_time);
  assert.ok(Date.parse(r1?.response_time ?? '') >= Date.parse(q1?.query_time ?? ''));
  assert.ok(Math.abs(Date.parse(q1?.query_time ?? '') - Date.now()) < 60_000, 'wall-clock time');
});

test('tcp:// without full: the messages carry no wire data', async (t) => {
  const collector = await startCollector({});
  t.after(() => collector.stop());
  const agent = await startAgent(
    t,
    `.:0 {\n  bind 127.0.0.1\n  dnstap ${collector.endpoint}\n  ${HOSTS}\n}\n`,
  );
  await ask(agent.port, 'tap.example.', 'udp');
  await until('two decoded messages', () => collector.messages().length >= 2, 10_000);
  const [q, r] = collector.messages().map((m) => m.message);
  assert.equal(q?.type, 'CLIENT_QUERY');
  assert.equal(r?.type, 'CLIENT_RESPONSE');
  assert.equal(q?.query_message, undefined);
  assert.equal(r?.response_message, undefined);
});

test('no collector: queries are still answered at once', async (t) => {
  const agent = await startAgent(
    t,
    `.:0 {\n  bind 127.0.0.1\n  dnstap ${join(dir, 'nobody.sock')} full\n  ${HOSTS}\n}\n`,
  );
  const started = performance.now();
  for (let i = 0; i < 20; i++) {
    const reply = await ask(agent.port, 'tap.example.', i % 2 === 0 ? 'udp' : 'tcp');
    assert.equal((reply[3] as number) & 0x0f, 0);
  }
  assert.ok(performance.now() - started < 5000, 'no query waited on the collector');
});

function tapFrame(name: number): Buffer {
  const message = encodeMessage({
    type: MessageType.CLIENT_QUERY,
    family: 1,
    protocol: 1,
    queryAddress: new Uint8Array([127, 0, 0, 1]),
    queryPort: 1000 + name,
    queryTimeMs: Date.now(),
  });
  return encodeDnstap(Buffer.from('writer-test'), Buffer.alloc(0), message);
}

test('the writer drops while the collector is away and reconnects when it is back', async (t) => {
  const port = await freePort();
  const tuning = { ...DEFAULT_FRAMESTREAM_TUNING, reconnectMinMs: 50, reconnectMaxMs: 200 };
  const writer = new FrameStreamWriter(
    { kind: 'tcp', host: '127.0.0.1', port },
    memoryLogger(),
    tuning,
  );
  t.after(() => writer.close());
  writer.start();
  await until('the first dial to fail', () => writer.state === 'down');
  for (let i = 0; i < 5; i++) writer.write(tapFrame(i));
  assert.equal(writer.dropped, 5);
  const collector = await startCollector({ tcpPort: port });
  t.after(() => collector.stop());
  await until('the writer to reconnect', () => writer.state === 'open', 10_000);
  for (let i = 0; i < 3; i++) writer.write(tapFrame(100 + i));
  await until('three decoded messages', () => collector.messages().length >= 3, 10_000);
  assert.deepEqual(
    collector.messages().map((m) => m.message.query_port),
    [1100, 1101, 1102],
  );
  assert.equal(writer.dropped, 5);
});

test('a collector that accepts but never reads: writes never block, the excess is dropped', async (t) => {
  // A minimal peer that completes the handshake (ACCEPT), then stops reading.
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.once('data', () => {
      const accept = Buffer.alloc(8 + 4);
      accept.writeUInt32BE(0, 0);
      accept.writeUInt32BE(4, 4);
      accept.writeUInt32BE(1, 8); // ACCEPT
      s.write(accept);
      s.pause();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const port = (server.address() as { port: number }).port;
  const tuning = { ...DEFAULT_FRAMESTREAM_TUNING, maxBufferedBytes: 64 * 1024 };
  const writer = new FrameStreamWriter(
    { kind: 'tcp', host: '127.0.0.1', port },
    memoryLogger(),
    tuning,
  );
  t.after(() => writer.close());
  writer.start();
  await until('the handshake', () => writer.state === 'open');
  const big = Buffer.alloc(16 * 1024, 1);
  // Bounded: 2000 frames of 16 KiB (32 MiB offered), one event-loop turn apart in batches.
  const started = performance.now();
  for (let round = 0; round < 40 && writer.dropped === 0; round++) {
    for (let i = 0; i < 50; i++) writer.write(big);
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(writer.dropped > 0, 'frames dropped once the socket buffer is full');
  assert.ok(performance.now() - started < 10_000, 'the loop never waited on the peer');
});
