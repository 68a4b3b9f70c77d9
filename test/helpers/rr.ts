// Resource records from small specs (or one presentation line), and whole responses built
// around a query: ID and question copied from it unless a test asks for a mismatch. Names are
// written uncompressed except, optionally, owners equal to the question (pointer to byte 12).

import { parseTypeName, RRClass } from '../../src/dns/constants.ts';
import { nameToWire } from '../../src/dns/name.ts';

interface RRBase {
  name: string;
  /** Default 300. */
  ttl?: number;
  /** Default IN. */
  class?: number;
}

export type RRSpec = RRBase &
  (
    | { type: 'A' | 'AAAA'; address: string }
    | { type: 'CNAME' | 'NS' | 'PTR'; target: string }
    /** A string longer than 255 bytes is split into 255-byte character-strings. */
    | { type: 'TXT'; text: string | readonly string[] }
    | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
    | { type: 'MX'; preference: number; exchange: string }
    /** `ttl` (the RR header TTL) and `minimum` are separate on purpose. */
    | {
        type: 'SOA';
        mname: string;
        rname: string;
        serial?: number;
        refresh?: number;
        retry?: number;
        expire?: number;
        minimum: number;
      }
    | { type: number; rdata: Uint8Array }
  );

export function ipv4Bytes(address: string): Buffer {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`bad IPv4 address ${address}`);
  }
  return Buffer.from(parts);
}

export function ipv6Bytes(address: string): Buffer {
  let text = address;
  // An embedded IPv4 tail (`::ffff:192.0.2.1`) becomes two hex groups.
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4?.[1] !== undefined && v4[2] !== undefined) {
    const b = ipv4Bytes(v4[2]);
    text = `${v4[1]}${b.readUInt16BE(0).toString(16)}:${b.readUInt16BE(2).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new Error(`bad IPv6 address ${address}`);
  const parse = (s: string | undefined): number[] =>
    s
      ? s.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? Number.parseInt(g, 16) : Number.NaN))
      : [];
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  const groups =
    halves.length === 2
      ? [...head, ...new Array<number>(Math.max(0, 8 - head.length - rest.length)).fill(0), ...rest]
      : head;
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g)))
    throw new Error(`bad IPv6 address ${address}`);
  const out = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) out.writeUInt16BE(g, i * 2);
  return out;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function txtStrings(text: string | readonly string[]): Buffer {
  const chunks: Buffer[] = [];
  for (const s of typeof text === 'string' ? [text] : text) {
    const bytes = Buffer.from(s, 'utf8');
    if (bytes.length === 0) chunks.push(Buffer.from([0]));
    for (let i = 0; i < bytes.length; i += 255) {
      const part = bytes.subarray(i, i + 255);
      chunks.push(Buffer.from([part.length]), part);
    }
  }
  return Buffer.concat(chunks);
}

export function typeCode(spec: RRSpec): number {
  if (typeof spec.type === 'number') return spec.type;
  return parseTypeName(spec.type) ?? 0;
}

/** Rdata bytes of a spec (names uncompressed). */
export function encodeRdata(spec: RRSpec): Buffer {
  if (typeof spec.type === 'number') return Buffer.from(spec.rdata);
  switch (spec.type) {
    case 'A':
      return ipv4Bytes(spec.address);
    case 'AAAA':
      return ipv6Bytes(spec.address);
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return Buffer.from(nameToWire(spec.target));
    case 'TXT':
      return txtStrings(spec.text);
    case 'SRV':
      return Buffer.concat([
        u16(spec.priority),
        u16(spec.weight),
        u16(spec.port),
        nameToWire(spec.target),
      ]);
    case 'MX':
      return Buffer.concat([u16(spec.preference), nameToWire(spec.exchange)]);
    case 'SOA':
      return Buffer.concat([
        nameToWire(spec.mname),
        nameToWire(spec.rname),
        ...[
          spec.serial ?? 1,
          spec.refresh ?? 7200,
          spec.retry ?? 1800,
          spec.expire ?? 86400,
          spec.minimum,
        ].map(u32),
      ]);
  }
}

/** One whole record; `owner` overrides the owner name's wire bytes (case tricks, pointers). */
export function encodeRR(spec: RRSpec, owner?: Uint8Array): Buffer {
  const rdata = encodeRdata(spec);
  return Buffer.concat([
    owner ?? nameToWire(spec.name),
    u16(typeCode(spec)),
    u16(spec.class ?? RRClass.IN),
    u32(spec.ttl ?? 300),
    u16(rdata.length),
    rdata,
  ]);
}

/** Splits a presentation line into tokens, keeping quoted strings (without quotes) whole. */
function tokenize(line: string): string[] {
  const tokens: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of line.matchAll(re)) {
    tokens.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''));
  }
  return tokens;
}

/** Parses `name [ttl] [class] type rdata...`, e.g. `rr('web.test. 30 IN A 192.0.2.1')`. */
export function rr(line: string): RRSpec {
  const tokens = tokenize(line);
  const name = tokens.shift() ?? '';
  let ttl = 300;
  let klass: number = RRClass.IN;
  if (/^\d+$/.test(tokens[0] ?? '')) ttl = Number(tokens.shift());
  const classes: Record<string, number> = { IN: RRClass.IN, CH: RRClass.CH, HS: RRClass.HS };
  const klassCode = classes[(tokens[0] ?? '').toUpperCase()];
  if (klassCode !== undefined) {
    klass = klassCode;
    tokens.shift();
  }
  const type = (tokens.shift() ?? '').toUpperCase();
  const base = { name, ttl, class: klass };
  const t = tokens;
  switch (type) {
    case 'A':
    case 'AAAA':
      return { ...base, type, address: t[0] ?? '' };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { ...base, type, target: t[0] ?? '' };
    case 'TXT':
      return { ...base, type, text: t };
    case 'MX':
      return { ...base, type, preference: Number(t[0]), exchange: t[1] ?? '' };
    case 'SRV':
      return {
        ...base,
        type,
        priority: Number(t[0]),
        weight: Number(t[1]),
        port: Number(t[2]),
        target: t[3] ?? '',
      };
    case 'SOA': {
      const [mname = '', rname = '', serial, refresh, retry, expire, minimum] = t;
      return {
        ...base,
        type,
        mname,
        rname,
        serial: Number(serial),
        refresh: Number(refresh),
        retry: Number(retry),
        expire: Number(expire),
        minimum: Number(minimum),
      };
    }
  }
  const code = parseTypeName(type);
  const generic = /^\\#\s+\d+\s*(.*)$/.exec(t.join(' '));
  if (code === undefined || !generic)
    throw new Error(`rr: unsupported record "${line}" (use \\# rdata for ${type})`);
  return { ...base, type: code, rdata: Buffer.from((generic[1] ?? '').replace(/\s+/g, ''), 'hex') };
}

export {
  buildResponse,
  buildTruncatedReply,
  questionEnd,
  type ResponseOptions,
} from './response.ts';
