// The forward tests' view of the scripted upstream: a synchronous script per query and a log of
// what was seen. TCP queries on one connection are handled concurrently, so delays produce
// out-of-order answers.

import { createServer } from 'node:net';
import { Flag } from '../../../src/dns/constants.ts';
import { scanQuery } from '../../../src/dns/query.ts';
import { type Action as Action_, startFakeUpstream } from '../../helpers/fake-upstream.ts';

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
  /** Replies written so far (after their delay). */
  readonly repliesSent: () => number;
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

/**
 * Starts on `port` (0: any free one; a fixed port brings a stopped upstream back). A thin script
 * layer over the shared scripted upstream (test/helpers/fake-upstream.ts).
 */
export async function startUpstream(script: Script, port = 0): Promise<FakeUpstream> {
  const seen: Seen[] = [];
  const upstream = await startFakeUpstream(
    (q): Action_ => {
      const s: Seen = {
        proto: q.proto,
        id: q.id,
        qname: q.qname,
        wire: q.wire,
        conn: q.connection,
      };
      seen.push(s);
      const action = script(s);
      if ('reply' in action) {
        return {
          kind: 'reply',
          wire: action.reply,
          ...(action.delayMs === undefined ? {} : { delayMs: action.delayMs }),
          ...(action.before === undefined ? {} : { before: action.before }),
        };
      }
      if ('drop' in action) return { kind: 'drop' };
      return {
        kind: 'close',
        ...(action.delayMs === undefined ? {} : { delayMs: action.delayMs }),
      };
    },
    { port },
  );
  return {
    port: upstream.port,
    address: upstream.address,
    seen,
    tcpConnections: () => upstream.tcpConnections,
    repliesSent: () => upstream.repliesSent,
    stop: () => upstream.stop(),
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
