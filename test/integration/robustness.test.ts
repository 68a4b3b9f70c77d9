// Replays the CZ.NIC dns-fuzzing corpus (9,774 packets) against a running agent over UDP, and
// over TCP in batches on one connection each. Every packet must end in a well-formed reply with
// its ID or in a silent drop, exactly as the local scan predicts (responses and short packets
// are dropped, everything else answered), and the agent must still answer afterwards.
// Loopback only: the agent forwards to a fake upstream on 127.0.0.1.

import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { startApp } from '../../src/app.ts';
import { FrameReader, frame } from '../../src/dns/framing.ts';
import { walkMessage } from '../../src/dns/message.ts';
import { ScanVerdict, scanQuery } from '../../src/dns/query.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { readCorpusArchive } from '../fuzz/corpus-archive.ts';
import { buildTestQuery, query } from '../helpers/client.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { until } from '../helpers/wait.ts';

const HOST = '127.0.0.1';
const UDP_SLOTS = 32;
/** Only a lost reply waits this long; generous so a loaded machine is not mistaken for one. */
const REPLY_WAIT_MS = 5000;
const TCP_BATCH = 250;
/** The agent's largest TCP query (src/server/tcp.ts default maxQueryBytes). */
const TCP_QUERY_LIMIT = 16_384;

interface Tally {
  replies: number;
  drops: number;
  problems: string[];
}

function checkReply(name: string, packet: Buffer, reply: Buffer, tally: Tally): void {
  tally.replies++;
  try {
    const m = walkMessage(reply);
    if (packet.length >= 12 && m.id !== packet.readUInt16BE(0))
      tally.problems.push(`${name}: reply ID ${m.id}`);
  } catch (err) {
    tally.problems.push(`${name}: malformed reply (${(err as Error).message})`);
  }
}

/** Sends one packet from `sock` and resolves with the first reply, or undefined after `ms`. */
function exchange(
  sock: UdpSocket,
  port: number,
  packet: Buffer,
  ms: number,
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const onMessage = (msg: Buffer): void => {
      clearTimeout(timer);
      sock.off('message', onMessage);
      resolve(msg);
    };
    const timer = setTimeout(() => {
      sock.off('message', onMessage);
      resolve(undefined);
    }, ms);
    sock.on('message', onMessage);
    sock.send(packet, port, HOST);
  });
}

async function replayUdp(
  port: number,
  packets: { name: string; wire: Buffer }[],
  tally: Tally,
): Promise<void> {
  const drop = createSocket('udp4');
  const BARRIER_ID = 0xbeef;
  let strayOnDrop = 0;
  let barrierAnswered = false;
  drop.on('message', (msg: Buffer) => {
    if (msg.length >= 2 && msg.readUInt16BE(0) === BARRIER_ID) barrierAnswered = true;
    else strayOnDrop++;
  });
  await new Promise<void>((r) => drop.bind(0, HOST, r));
  const answered = packets.filter((p) => scanQuery(p.wire).verdict !== ScanVerdict.DROP);
  for (const p of packets)
    if (scanQuery(p.wire).verdict === ScanVerdict.DROP) drop.send(p.wire, port, HOST);
  let next = 0;
  const slots = Array.from({ length: UDP_SLOTS }, async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, HOST, r));
    try {
      while (next < answered.length) {
        const p = answered[next++];
        if (p === undefined) break;
        const reply = await exchange(sock, port, p.wire, REPLY_WAIT_MS);
        if (reply === undefined) tally.problems.push(`udp ${p.name}: no reply`);
        else checkReply(`udp ${p.name}`, p.wire, reply, tally);
      }
    } finally {
      sock.close();
    }
  });
  await Promise.all(slots);
  // A barrier instead of a pause: a real query from the same socket, answered through the
  // forward path like any wrong answer to a dropped packet would be (sent long before it).
  drop.send(buildTestQuery({ name: 'barrier.example.', id: BARRIER_ID }), port, HOST);
  await until('the barrier query answered', () => barrierAnswered, REPLY_WAIT_MS);
  drop.close();
  tally.drops += packets.length - answered.length;
  if (strayOnDrop > 0)
    tally.problems.push(`udp: ${strayOnDrop} replies to packets that should be dropped`);
}

/** One connection per batch: all packets framed and written at once, replies read back. */
function replayTcpBatch(
  port: number,
  batch: { name: string; wire: Buffer }[],
  tally: Tally,
): Promise<void> {
  const expected = batch.filter((p) => scanQuery(p.wire).verdict !== ScanVerdict.DROP).length;
  const ids = new Set(batch.map((p) => (p.wire.length >= 2 ? p.wire.readUInt16BE(0) : -1)));
  return new Promise((resolve) => {
    const sock = connect({ host: HOST, port, noDelay: true });
    const reader = new FrameReader();
    let got = 0;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (got < expected)
        tally.problems.push(`tcp batch at ${batch[0]?.name}: ${got} of ${expected} replies`);
      sock.destroy();
      tally.drops += batch.length - got;
      resolve();
    };
    const timer = setTimeout(finish, REPLY_WAIT_MS);
    sock.on('data', (chunk) => {
      for (const reply of reader.push(chunk)) {
        got++;
        tally.replies++;
        try {
          const m = walkMessage(reply);
          if (!ids.has(m.id)) tally.problems.push(`tcp: reply ID ${m.id} not in its batch`);
        } catch (err) {
          tally.problems.push(`tcp: malformed reply (${(err as Error).message})`);
        }
      }
      if (got >= expected) finish();
    });
    sock.on('error', () => {});
    sock.on('close', finish);
    sock.write(Buffer.concat(batch.map((p) => frame(p.wire))));
  });
}

async function stillAnswers(port: number): Promise<void> {
  for (const proto of ['udp', 'tcp'] as const) {
    const reply = await query({ host: HOST, port, proto, name: 'alive.example.', timeoutMs: 5000 });
    const m = walkMessage(reply);
    assert.equal(m.rcode, 0, proto);
    assert.equal(m.ancount, 1, proto);
  }
}

describe('replay of the CZ.NIC corpus against a running agent', () => {
  it('answers or silently drops every packet, over UDP and TCP, and keeps serving', async (t) => {
    const started = performance.now();
    const packets = await readCorpusArchive();
    assert.equal(packets.length, 9774);
    const upstream = await startFakeUpstream((q) =>
      q.scanned.qnameEnd > 0
        ? buildResponse({
            query: q.wire,
            answer: q.qname === '' ? [] : [rr(`${q.qname} 30 IN A 192.0.2.1`)],
            ownerCase: 'query',
          })
        : buildResponse({ query: q.wire, rcode: 1 }),
    );
    t.after(() => upstream.stop());
    const log = memoryLogger();
    const app = await startApp({
      corefileText: `.:0 {\n bind 127.0.0.1\n errors\n cache\n forward . ${upstream.address}\n}\n`,
      log,
      drainMs: 500,
    });
    t.after(() => app.stop());
    await app.serving;
    const port = app.listeners()[0]?.port ?? 0;
    assert.ok(port > 0);
    await stillAnswers(port);

    const udp: Tally = { replies: 0, drops: 0, problems: [] };
    await replayUdp(port, packets, udp);
    const udpMs = performance.now() - started;
    await stillAnswers(port);

    // The agent refuses TCP queries over 16 KiB by closing the connection (src/server/tcp.ts
    // maxQueryBytes), which loses the batch's in-flight replies too; those few packets go on a
    // connection of their own and may end in a reply or a close.
    const tcp: Tally = { replies: 0, drops: 0, problems: [] };
    const small = packets.filter((p) => p.wire.length <= TCP_QUERY_LIMIT);
    for (let i = 0; i < small.length; i += TCP_BATCH)
      await replayTcpBatch(port, small.slice(i, i + TCP_BATCH), tcp);
    const large: Tally = { replies: 0, drops: 0, problems: [] };
    for (const p of packets.filter((x) => x.wire.length > TCP_QUERY_LIMIT))
      await replayTcpBatch(port, [p], large);
    await stillAnswers(port);
    const totalMs = performance.now() - started;

    t.diagnostic(
      `udp: ${udp.replies} replies, ${udp.drops} drops (${udpMs.toFixed(0)} ms incl. setup)`,
    );
    t.diagnostic(
      `tcp: ${tcp.replies} replies, ${tcp.drops} drops, ${Math.ceil(small.length / TCP_BATCH)} connections`,
    );
    t.diagnostic(
      `tcp over 16 KiB: ${large.replies} replies, ${large.drops} closed (total ${totalMs.toFixed(0)} ms)`,
    );
    assert.deepEqual(udp.problems.slice(0, 10), []);
    assert.deepEqual(tcp.problems.slice(0, 10), []);
    assert.equal(udp.replies + udp.drops, packets.length);
    assert.equal(tcp.replies + tcp.drops, small.length);
    assert.equal(large.replies + large.drops, packets.length - small.length);
    // Over TCP the scan decides too: exactly the packets it does not drop are answered.
    const answerable = small.filter((p) => scanQuery(p.wire).verdict !== ScanVerdict.DROP).length;
    assert.equal(tcp.replies, answerable);
    assert.ok(
      !log.lines.some((l) => /panic/i.test(l)),
      log.lines.find((l) => /panic/i.test(l)),
    );
  });
});
