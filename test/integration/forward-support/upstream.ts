// A minimal scripted upstream for the forward tests: UDP and TCP on one 127.0.0.1 port. The
// script decides per query; TCP queries on one connection are handled concurrently, so delays
// produce out-of-order answers.

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { Flag } from '../../../src/dns/constants.ts';
import { FrameReader, frame } from '../../../src/dns/framing.ts';
import { readName } from '../../../src/dns/name.ts';
import { scanQuery } from '../../../src/dns/query.ts';

export interface Seen {
  readonly proto: 'udp' | 'tcp';
  readonly id: number;
  readonly qname: string;
  readonly wire: Buffer;
  /** TCP connection number (0, 1, ...); -1 for UDP. */
  readonly conn: number;
}

export type Action =
  /** `before` datagrams/frames go out first (spoofs, strays), then `reply`. */
  | { reply: Buffer; delayMs?: number; before?: Buffer[] }
  | { drop: true }
  /** TCP: close the connection (after `delayMs`) without answering. */
  | { close: true; delayMs?: number };

export type Script = (q: Seen) => Action;

export interface FakeUpstream {
  readonly port: number;
  readonly address: string;
  readonly seen: Seen[];
  readonly tcpConnections: () => number;
  /** Stops listening and drops every connection (the upstream goes down). */
  stop(): Promise<void>;
}

/** An answer to `query`: QR, RA, RD copied, one A record (owner = pointer to the question). */
export function answerFor(
  query: Buffer,
  opts: { rcode?: number; tc?: boolean; address?: number[]; id?: number } = {},
): Buffer {
  const q = scanQuery(query);
  const question = query.subarray(12, q.questionEnd);
  const withRecord = opts.tc !== true;
  const out = Buffer.alloc(12 + question.length + (withRecord ? 16 : 0));
  out.writeUInt16BE(opts.id ?? q.id, 0);
  let flags = Flag.QR | Flag.RA | (q.flags & Flag.RD) | (opts.rcode ?? 0);
  if (opts.tc === true) flags |= Flag.TC;
  out.writeUInt16BE(flags, 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(withRecord ? 1 : 0, 6);
  question.copy(out, 12);
  if (withRecord) {
    let p = 12 + question.length;
    out.writeUInt16BE(0xc00c, p);
    out.writeUInt16BE(1, p + 2); // A
    out.writeUInt16BE(1, p + 4); // IN
    out.writeUInt32BE(60, p + 6);
    out.writeUInt16BE(4, p + 10);
    p += 12;
    for (const b of opts.address ?? [192, 0, 2, 1]) out[p++] = b;
  }
  return out;
}

/** Starts on `port` (0: any free one; a fixed port brings a stopped upstream back). */
export async function startUpstream(script: Script, port = 0): Promise<FakeUpstream> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let conns = 0;
  let stopped = false;
  const later = (ms: number, fn: () => void): void => {
    if (ms <= 0) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };
  const record = (wire: Buffer, proto: 'udp' | 'tcp', conn: number): Seen => {
    let qname = '';
    try {
      qname = readName(wire, 12);
    } catch {}
    const s: Seen = { proto, id: wire.readUInt16BE(0), qname, wire: Buffer.from(wire), conn };
    seen.push(s);
    return s;
  };

  const onDatagram = (msg: Buffer, rinfo: { port: number; address: string }): void => {
    const action = script(record(msg, 'udp', -1));
    if ('reply' in action) {
      later(action.delayMs ?? 0, () => {
        for (const b of [...(action.before ?? []), action.reply])
          udp.send(b, rinfo.port, rinfo.address);
      });
    }
  };
  let udp: UdpSocket = createSocket('udp4');
  const tcp: Server = createServer((sock) => {
    const conn = conns++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    const reader = new FrameReader();
    sock.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        const action = script(record(f, 'tcp', conn));
        if ('reply' in action)
          later(action.delayMs ?? 0, () => {
            if (sock.destroyed) return;
            for (const b of [...(action.before ?? []), action.reply]) sock.write(frame(b));
          });
        else if ('close' in action) later(action.delayMs ?? 0, () => sock.destroy());
      }
    });
  });
  // UDP on `port` (or any free one), then TCP on the same number; with port 0, another test may
  // hold that TCP port, so try again with a new one.
  let bound = 0;
  for (let attempt = 0; attempt < 10 && bound === 0; attempt++) {
    if (attempt > 0) udp = createSocket('udp4');
    udp.on('message', onDatagram);
    const socket = udp;
    const udpPort = await new Promise<number>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => resolve(socket.address().port));
    });
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(udpPort, '127.0.0.1', () => resolve(true));
    });
    if (ok) bound = udpPort;
    else await new Promise<void>((r) => socket.close(() => r()));
    if (!ok && port !== 0) break;
  }
  if (bound === 0) throw new Error(`fake upstream: no UDP+TCP port pair (asked for ${port})`);
  return {
    port: bound,
    address: `127.0.0.1:${bound}`,
    seen,
    tcpConnections: () => conns,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]);
    },
  };
}

/** A 127.0.0.1 port with nothing listening on TCP or UDP (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const address = s.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
