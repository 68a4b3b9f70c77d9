// The project's own DNS client for tests: one-shot UDP/TCP queries, and a TCP session that
// pipelines many queries on one connection and matches replies by ID, whatever order and
// chunking they arrive in. Loopback only.

import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { buildQuery } from '../../src/dns/build.ts';
import { parseTypeName } from '../../src/dns/constants.ts';
import { FrameReader, frame } from '../../src/dns/framing.ts';
import { nameToWire } from '../../src/dns/name.ts';
import { assertLoopback } from './ports.ts';

export type Proto = 'udp' | 'tcp';

/** What to ask: either a name and type, or `raw` bytes sent as they are. */
export interface QuerySpec {
  name?: string;
  /** Mnemonic (`'A'`, `'TYPE65'`) or number; default A. */
  type?: string | number;
  qclass?: number;
  edns?: boolean;
  dnssecOk?: boolean;
  recursionDesired?: boolean;
  /** Default: random. */
  id?: number;
  /** Sent verbatim instead of a built query; replies are matched on its first two bytes. */
  raw?: Buffer;
}

export interface QueryOptions extends QuerySpec {
  host: string;
  port: number;
  proto: Proto;
  /** Default DEFAULT_QUERY_TIMEOUT_MS. */
  timeoutMs?: number;
}

/**
 * How long a query waits for its answer unless told otherwise: generous, since only a lost
 * answer waits it out and a loaded machine answers slowly. A test that expects no answer
 * passes its own short timeout.
 */
export const DEFAULT_QUERY_TIMEOUT_MS = 5000;

export class QueryTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(what: string, ms: number) {
    super(`${what}: no reply within ${ms} ms`);
    this.name = 'QueryTimeoutError';
  }
}

/** Wire bytes of a query from a spec (the `raw` bytes when given). */
export function buildTestQuery(spec: QuerySpec): Buffer {
  if (spec.raw !== undefined) return spec.raw;
  const type = typeof spec.type === 'number' ? spec.type : parseTypeName(spec.type ?? 'A');
  if (type === undefined) throw new Error(`unknown type ${String(spec.type)}`);
  const options: {
    recursionDesired?: boolean;
    edns?: boolean;
    dnssecOk?: boolean;
    qclass?: number;
  } = {
    edns: spec.edns ?? spec.dnssecOk ?? false,
  };
  if (spec.dnssecOk !== undefined) options.dnssecOk = spec.dnssecOk;
  if (spec.recursionDesired !== undefined) options.recursionDesired = spec.recursionDesired;
  if (spec.qclass !== undefined) options.qclass = spec.qclass;
  return buildQuery(spec.id ?? randomInt(0, 65536), nameToWire(spec.name ?? '.'), type, options);
}

/** ID of a message, or -1 when it is too short to have one. */
export function messageId(wire: Uint8Array): number {
  return wire.length < 2 ? -1 : ((wire[0] as number) << 8) | (wire[1] as number);
}

/** Sends one query and resolves with the first reply carrying the same ID. */
export function query(opts: QueryOptions): Promise<Buffer> {
  assertLoopback(opts.host);
  const wire = buildTestQuery(opts);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  return opts.proto === 'udp'
    ? udpQuery(opts.host, opts.port, wire, timeoutMs)
    : tcpQuery(opts.host, opts.port, wire, timeoutMs);
}

function udpQuery(host: string, port: number, wire: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const id = messageId(wire);
    const finish = (err: Error | undefined, reply?: Buffer): void => {
      clearTimeout(timer);
      sock.close();
      if (reply !== undefined) resolve(reply);
      else reject(err ?? new Error('no reply'));
    };
    const timer = setTimeout(
      () => finish(new QueryTimeoutError(`udp ${host}:${port}`, timeoutMs)),
      timeoutMs,
    );
    // A stray datagram with another ID is ignored, as a real stub resolver would.
    sock.on('message', (msg) => {
      if (id < 0 || messageId(msg) === id) finish(undefined, msg);
    });
    sock.on('error', (err) => finish(err));
    sock.send(wire, port, host, (err) => {
      if (err) finish(err);
    });
  });
}

async function tcpQuery(
  host: string,
  port: number,
  wire: Buffer,
  timeoutMs: number,
): Promise<Buffer> {
  const session = await tcpSession(host, port, { timeoutMs });
  try {
    return await session.send(wire, timeoutMs);
  } finally {
    session.close();
  }
}

export interface TcpSession {
  /** Sends one framed query (a spec or bytes) and resolves with the reply that has its ID. */
  send(query: QuerySpec | Buffer, timeoutMs?: number): Promise<Buffer>;
  /** Writes all queries in one go, then resolves with their replies in query order. */
  pipeline(queries: readonly (QuerySpec | Buffer)[], timeoutMs?: number): Promise<Buffer[]>;
  /** Writes unframed bytes, `chunkSize` bytes per write with a pause between (default: one write). */
  writeRaw(bytes: Uint8Array, chunkSize?: number): Promise<void>;
  /** Resolves with the next reply that has `id`, whoever sent the query. */
  waitFor(id: number, timeoutMs?: number): Promise<Buffer>;
  /** Every reply received, in arrival order. */
  readonly replies: readonly Buffer[];
  /** Resolves when the peer or we closed the connection. */
  readonly closed: Promise<void>;
  readonly isClosed: boolean;
  close(): void;
}

interface Waiter {
  resolve(reply: Buffer): void;
  reject(err: Error): void;
}

/**
 * Opens one TCP connection for pipelined queries; `localAddress` (another 127.0.0.x) makes it
 * look like a different client.
 */
export function tcpSession(
  host: string,
  port: number,
  opts: { timeoutMs?: number; localAddress?: string } = {},
): Promise<TcpSession> {
  assertLoopback(host);
  const defaultTimeout = opts.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const sock = connect({
      host,
      port,
      noDelay: true,
      ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }),
    });
    const connectTimer = setTimeout(() => {
      sock.destroy();
      reject(new QueryTimeoutError(`tcp connect ${host}:${port}`, defaultTimeout));
    }, defaultTimeout);
    sock.once('error', (err) => {
      clearTimeout(connectTimer);
      reject(err);
    });
    sock.once('connect', () => {
      clearTimeout(connectTimer);
      resolve(makeSession(sock, defaultTimeout));
    });
  });
}

function makeSession(sock: Socket, defaultTimeout: number): TcpSession {
  const reader = new FrameReader();
  const replies: Buffer[] = [];
  // Replies that arrived before anyone waited for them, and waiters per ID (FIFO when two
  // queries share an ID on purpose).
  const unclaimed: Buffer[] = [];
  const waiters = new Map<number, Waiter[]>();
  let isClosed = false;
  let closeError: Error = new Error('TCP connection closed before the reply');

  const closed = new Promise<void>((resolve) => {
    sock.on('close', () => {
      isClosed = true;
      for (const list of waiters.values()) for (const w of list) w.reject(closeError);
      waiters.clear();
      resolve();
    });
  });
  sock.on('error', (err) => {
    closeError = err;
  });
  sock.on('data', (chunk: Buffer) => {
    let frames: Buffer[];
    try {
      frames = reader.push(chunk);
    } catch (err) {
      closeError = err instanceof Error ? err : new Error(String(err));
      sock.destroy();
      return;
    }
    for (const f of frames) {
      const copy = Buffer.from(f);
      replies.push(copy);
      const list = waiters.get(messageId(copy));
      const w = list?.shift();
      if (list?.length === 0) waiters.delete(messageId(copy));
      if (w === undefined) unclaimed.push(copy);
      else w.resolve(copy);
    }
  });

  const waitFor = (id: number, timeoutMs = defaultTimeout): Promise<Buffer> => {
    const idx = unclaimed.findIndex((r) => messageId(r) === id);
    if (idx >= 0) return Promise.resolve(unclaimed.splice(idx, 1)[0] as Buffer);
    if (isClosed) return Promise.reject(closeError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = waiters.get(id);
        if (list !== undefined) list.splice(list.indexOf(waiter), 1);
        reject(new QueryTimeoutError(`tcp reply with id ${id}`, timeoutMs));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const list = waiters.get(id);
      if (list === undefined) waiters.set(id, [waiter]);
      else list.push(waiter);
    });
  };

  const toWire = (q: QuerySpec | Buffer): Buffer => (Buffer.isBuffer(q) ? q : buildTestQuery(q));

  return {
    send(q, timeoutMs) {
      const wire = toWire(q);
      const reply = waitFor(messageId(wire), timeoutMs);
      sock.write(frame(wire));
      return reply;
    },
    pipeline(queries, timeoutMs) {
      const wires = queries.map(toWire);
      const pending = wires.map((w) => waitFor(messageId(w), timeoutMs));
      sock.write(Buffer.concat(wires.map((w) => frame(w))));
      return Promise.all(pending);
    },
    async writeRaw(bytes, chunkSize) {
      const step = chunkSize ?? bytes.length;
      for (let pos = 0; pos < bytes.length; pos += step) {
        await new Promise<void>((done, fail) =>
          sock.write(bytes.subarray(pos, pos + step), (err) => (err ? fail(err) : done())),
        );
        // A timer tick between writes makes separate TCP segments likely (Nagle is off).
        if (step < bytes.length) await new Promise((r) => setTimeout(r, 1));
      }
    },
    waitFor,
    replies,
    closed,
    get isClosed() {
      return isClosed;
    },
    close() {
      sock.destroy();
    },
  };
}
