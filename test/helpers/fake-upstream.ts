// A scripted upstream on real sockets (UDP + TCP on the same 127.0.0.1 port, port 0), in the
// spirit of CoreDNS's dnstest.NewServer. A handler decides per query what to do; every query is
// recorded so tests can assert upstream traffic. TCP queries on one connection are handled
// concurrently, so different delays produce out-of-order replies (pipelining).

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { FrameReader, frame } from '../../src/dns/framing.ts';
import { readName } from '../../src/dns/name.ts';
import { type ScannedQuery, scanQuery } from '../../src/dns/query.ts';
import type { Proto } from './client.ts';
import { buildTruncatedReply } from './response.ts';

/** What the upstream received, as tests want to assert on it. */
export interface ReceivedQuery {
  proto: Proto;
  id: number;
  /** Presentation form, case as received; '' when the question did not scan. */
  qname: string;
  qtype: number;
  qclass: number;
  flags: number;
  hasEdns: boolean;
  dnssecOk: boolean;
  /** The full scan (verdict, OPT offsets, cache key). */
  scanned: ScannedQuery;
  wire: Buffer;
  /** For TCP: the connection's sequence number (0, 1, ...), to assert connection reuse. */
  connection: number;
  /** Milliseconds since the upstream started. */
  at: number;
}

export type Action =
  /** Answer with these bytes, after `delayMs`; over TCP, optionally `chunkSize` bytes per write.
   * `before` messages go out first on the same path (spoofed IDs, strays). */
  | {
      kind: 'reply';
      wire: Buffer;
      delayMs?: number;
      chunkSize?: number;
      before?: readonly Buffer[];
    }
  /** No answer at all. */
  | { kind: 'drop' }
  /** TCP: write `partial` bytes (unframed, e.g. half a frame), then close or reset the
   * connection, after `delayMs`. UDP: same as drop. */
  | { kind: 'close'; partial?: Buffer; reset?: boolean; delayMs?: number }
  /** A TC=1 reply with the question only (sent over whichever transport the query came on). */
  | { kind: 'truncated'; delayMs?: number }
  /** Bytes written as they are (TCP: no length prefix added). */
  | { kind: 'raw'; bytes: Buffer; delayMs?: number };

export type Handler = (
  query: ReceivedQuery,
  proto: Proto,
) => Action | Buffer | Promise<Action | Buffer>;

export const reply = (wire: Buffer, delayMs?: number): Action =>
  delayMs === undefined ? { kind: 'reply', wire } : { kind: 'reply', wire, delayMs };
export const drop = (): Action => ({ kind: 'drop' });

export interface FakeUpstream {
  readonly host: string;
  readonly port: number;
  /** `host:port`, as a Corefile forward line wants it. */
  readonly address: string;
  readonly queries: readonly ReceivedQuery[];
  /** Recorded queries, optionally filtered by transport and/or name (case-insensitive). */
  count(filter?: { proto?: Proto; qname?: string; qtype?: number }): number;
  /** TCP connections accepted so far. */
  readonly tcpConnections: number;
  /** Replies written so far (after their delay): what a test waits on for a late answer. */
  readonly repliesSent: number;
  /** Errors thrown by the handler (the query was dropped). */
  readonly errors: readonly unknown[];
  /** Forgets recorded queries and errors. */
  reset(): void;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startFakeUpstream(
  handler: Handler,
  /** `port`: a fixed port (0: any free one), e.g. to bring a stopped upstream back. */
  opts: { host?: '127.0.0.1'; port?: number } = {},
): Promise<FakeUpstream> {
  const host = opts.host ?? '127.0.0.1';
  const started = Date.now();
  let queries: ReceivedQuery[] = [];
  let errors: unknown[] = [];
  let tcpConnections = 0;
  let repliesSent = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const record = (wire: Buffer, proto: Proto, connection: number): ReceivedQuery => {
    const scanned = scanQuery(wire);
    let qname = '';
    try {
      if (scanned.qnameEnd > 0) qname = readName(wire, 12);
    } catch {
      // unreadable name: leave ''
    }
    const q: ReceivedQuery = {
      proto,
      id: wire.length >= 2 ? wire.readUInt16BE(0) : -1,
      qname,
      qtype: scanned.qtype,
      qclass: scanned.qclass,
      flags: scanned.flags,
      hasEdns: scanned.hasEdns,
      dnssecOk: scanned.dnssecOk,
      scanned,
      wire: Buffer.from(wire),
      connection,
      at: Date.now() - started,
    };
    queries.push(q);
    return q;
  };

  // Runs the handler and waits out the action's delay; resolves undefined on handler errors.
  const decide = async (q: ReceivedQuery): Promise<Action | undefined> => {
    try {
      const out = await handler(q, q.proto);
      const action: Action = Buffer.isBuffer(out) ? { kind: 'reply', wire: out } : out;
      const delay = 'delayMs' in action ? (action.delayMs ?? 0) : 0;
      if (delay > 0) {
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            timers.delete(t);
            r();
          }, delay);
          timers.add(t);
        });
      }
      return stopped ? undefined : action;
    } catch (err) {
      errors.push(err);
      return undefined;
    }
  };

  let udp: UdpSocket = createSocket('udp4');
  const onDatagram = (msg: Buffer, rinfo: { port: number; address: string }): void => {
    const q = record(msg, 'udp', -1);
    void decide(q).then((action) => {
      if (action === undefined || stopped) return;
      try {
        const out =
          action.kind === 'reply'
            ? action.wire
            : action.kind === 'raw'
              ? action.bytes
              : action.kind === 'truncated'
                ? buildTruncatedReply(msg)
                : undefined;
        if (action.kind === 'reply')
          for (const b of action.before ?? []) udp.send(b, rinfo.port, rinfo.address);
        if (out !== undefined) {
          udp.send(out, rinfo.port, rinfo.address);
          repliesSent++;
        }
      } catch (err) {
        errors.push(err);
      }
    });
  };

  const tcp: Server = createServer((sock) => {
    const connection = tcpConnections++;
    sockets.add(sock);
    sock.setNoDelay(true);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {}); // peers vanish mid-test on purpose
    const reader = new FrameReader();
    sock.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = reader.push(chunk);
      } catch {
        sock.destroy();
        return;
      }
      for (const f of frames) {
        const q = record(f, 'tcp', connection);
        void decide(q)
          .then((action) => writeTcp(sock, q, action))
          .catch((err: unknown) => errors.push(err));
      }
    });
  });

  const writeTcp = async (
    sock: Socket,
    q: ReceivedQuery,
    action: Action | undefined,
  ): Promise<void> => {
    if (action === undefined || sock.destroyed) return;
    switch (action.kind) {
      case 'drop':
        return;
      case 'close':
        if (action.partial !== undefined) sock.write(action.partial);
        if (action.reset === true) sock.resetAndDestroy();
        else sock.end();
        return;
      case 'raw':
        sock.write(action.bytes);
        repliesSent++;
        return;
      case 'truncated':
        sock.write(frame(buildTruncatedReply(q.wire)));
        repliesSent++;
        return;
      case 'reply': {
        for (const b of action.before ?? []) sock.write(frame(b));
        const bytes = frame(action.wire);
        const step = action.chunkSize ?? bytes.length;
        for (let pos = 0; pos < bytes.length && !sock.destroyed; pos += step) {
          sock.write(bytes.subarray(pos, pos + step));
          // A pause between chunks is the behaviour: each lands in its own segment.
          if (step < bytes.length) await sleep(1);
        }
        repliesSent++;
      }
    }
  };

  // Bind UDP first, then TCP on the same number; with port 0, retry if TCP's is taken.
  const wanted = opts.port ?? 0;
  let port = 0;
  for (let attempt = 0; attempt < (wanted === 0 ? 10 : 1) && port === 0; attempt++) {
    if (attempt > 0) udp = createSocket('udp4');
    udp.on('message', onDatagram);
    const udpPort = await new Promise<number>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(wanted, host, () => {
        udp.off('error', reject);
        resolve(udp.address().port);
      });
    });
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(udpPort, host, () => resolve(true));
    });
    if (ok) port = udpPort;
    else await new Promise<void>((r) => udp.close(() => r()));
  }
  if (port === 0) throw new Error('fake upstream: could not bind UDP and TCP on one port');

  return {
    host,
    port,
    address: `${host}:${port}`,
    get queries() {
      return queries;
    },
    count(filter = {}) {
      const name = filter.qname?.toLowerCase().replace(/\.?$/, '.');
      return queries.filter(
        (q) =>
          (filter.proto === undefined || q.proto === filter.proto) &&
          (name === undefined || q.qname.toLowerCase() === name) &&
          (filter.qtype === undefined || q.qtype === filter.qtype),
      ).length;
    },
    get tcpConnections() {
      return tcpConnections;
    },
    get repliesSent() {
      return repliesSent;
    },
    get errors() {
      return errors;
    },
    reset() {
      queries = [];
      errors = [];
    },
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
