// Small byte builders for wire tests: headers, labels, records and OPTs written out by hand, so a
// test shows exactly which bytes it feeds the scanner. Also an independent name walker, used as
// an oracle: it shares no code with src/dns/name.ts.

import { RRType } from '../../../src/dns/constants.ts';

export interface HeaderSpec {
  id?: number;
  flags?: number;
  qd?: number;
  an?: number;
  ns?: number;
  ar?: number;
}

export function header(h: HeaderSpec = {}): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(h.id ?? 0x4242, 0);
  b.writeUInt16BE(h.flags ?? 0x0100, 2);
  b.writeUInt16BE(h.qd ?? 1, 4);
  b.writeUInt16BE(h.an ?? 0, 6);
  b.writeUInt16BE(h.ns ?? 0, 8);
  b.writeUInt16BE(h.ar ?? 0, 10);
  return b;
}

/** Wire name from raw labels (strings as latin1 or byte arrays), root-terminated. */
export function labels(...parts: (string | readonly number[])[]): Buffer {
  const out: number[] = [];
  for (const p of parts) {
    const bytes = typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : [...p];
    out.push(bytes.length, ...bytes);
  }
  out.push(0);
  return Buffer.from(out);
}

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function question(name: Buffer, qtype = 1, qclass = 1): Buffer {
  return Buffer.concat([name, u16(qtype), u16(qclass)]);
}

export function record(owner: Buffer, type: number, ttl: number, rdata: Buffer, klass = 1): Buffer {
  return Buffer.concat([owner, u16(type), u16(klass), u32(ttl), u16(rdata.length), rdata]);
}

export interface OptSpec {
  udpSize?: number;
  extRcode?: number;
  version?: number;
  dnssecOk?: boolean;
  /** Raw rdata; default empty. */
  rdata?: Buffer;
  owner?: Buffer;
}

export function opt(o: OptSpec = {}): Buffer {
  const rdata = o.rdata ?? Buffer.alloc(0);
  return Buffer.concat([
    o.owner ?? Buffer.from([0]),
    u16(RRType.OPT),
    u16(o.udpSize ?? 1232),
    Buffer.from([o.extRcode ?? 0, o.version ?? 0]),
    u16(o.dnssecOk === true ? 0x8000 : 0),
    u16(rdata.length),
    rdata,
  ]);
}

export function ednsOption(code: number, data: Buffer): Buffer {
  return Buffer.concat([u16(code), u16(data.length), data]);
}

/** A plain query: header + question (+ OPT when given). */
export function simpleQuery(
  name: Buffer,
  opts: { id?: number; flags?: number; qtype?: number; opt?: OptSpec } = {},
): Buffer {
  const h: HeaderSpec = { ar: opts.opt === undefined ? 0 : 1 };
  if (opts.id !== undefined) h.id = opts.id;
  if (opts.flags !== undefined) h.flags = opts.flags;
  const parts = [header(h), question(name, opts.qtype ?? 1)];
  if (opts.opt !== undefined) parts.push(opt(opts.opt));
  return Buffer.concat(parts);
}
