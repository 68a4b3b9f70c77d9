// One resource record in zone-file (RFC 1035 section 5) presentation form, to wire parts: what
// miekg/dns's NewRR does for the template plugin. `name [ttl] [class] type rdata...`, TTL and
// class in either order, default TTL 3600 and class IN, relative names completed with the root.
// Rdata for A, AAAA, NS, CNAME, PTR, DNAME, MX, TXT, SRV, SOA, and RFC 3597 `\# len hex` for any
// type. Pure; throws RecordTextError with a message fit for a log line.

import { parseIPv4, parseIPv6 } from './address.ts';
import { parseTypeName, RRClass, RRType } from './constants.ts';
import { nameToWire } from './name.ts';

/** A record's parts in wire form; names uncompressed. */
export interface WireRecord {
  /** Owner name in wire form. */
  readonly name: Uint8Array;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly rdata: Uint8Array;
}

export class RecordTextError extends Error {
  readonly code = 'ERR_DNS_RECORD_TEXT';
  constructor(message: string) {
    super(message);
    this.name = 'RecordTextError';
  }
}

const DEFAULT_TTL = 3600;
const CLASSES: Record<string, number> = { IN: RRClass.IN, CH: RRClass.CH, HS: RRClass.HS };

export function parseRecordText(text: string): WireRecord {
  const tokens = tokenize(text);
  const owner = tokens.shift();
  if (owner === undefined) throw new RecordTextError('empty record');
  let ttl: number | undefined;
  let klass: number | undefined;
  let type: number | undefined;
  while (type === undefined) {
    const token = tokens.shift();
    if (token === undefined) throw new RecordTextError(`no type in record "${text}"`);
    if (ttl === undefined && /^\d+$/.test(token)) {
      ttl = Number(token);
      if (ttl > 0xffffffff) throw new RecordTextError(`TTL out of range in "${text}"`);
      continue;
    }
    const upper = token.toUpperCase();
    const classCode = CLASSES[upper] ?? classNumber(upper);
    if (klass === undefined && classCode !== undefined) {
      klass = classCode;
      continue;
    }
    type = parseTypeName(upper);
    if (type === undefined) throw new RecordTextError(`unknown type '${token}' in "${text}"`);
  }
  return {
    name: wireName(owner),
    type,
    class: klass ?? RRClass.IN,
    ttl: ttl ?? DEFAULT_TTL,
    rdata: encodeRdata(type, tokens, text),
  };
}

function classNumber(upper: string): number | undefined {
  const m = /^CLASS(\d{1,5})$/.exec(upper);
  return m !== null && Number(m[1]) < 65536 ? Number(m[1]) : undefined;
}

/** Whitespace-separated fields; `"..."` keeps spaces (with `\"` escapes); `( )` and `;...` dropped. */
function tokenize(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '(' || c === ')') {
      i++;
    } else if (c === ';') {
      break;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) throw new RecordTextError(`unterminated quote in "${text}"`);
      i++;
      out.push(`"${value}`); // marks a quoted token; TXT strips the mark
    } else {
      let value = '';
      while (i < text.length && !/[\s()";]/.test(text[i] as string)) value += text[i++];
      out.push(value);
    }
  }
  return out;
}

function wireName(token: string): Uint8Array {
  const name = token.startsWith('"') ? token.slice(1) : token;
  try {
    return nameToWire(name === '@' || name === '.' ? '.' : name.endsWith('.') ? name : `${name}.`);
  } catch (err) {
    throw new RecordTextError((err as Error).message);
  }
}

function u16(value: string, text: string): Uint8Array {
  if (!/^\d+$/.test(value) || Number(value) > 0xffff)
    throw new RecordTextError(`bad 16-bit number '${value}' in "${text}"`);
  return Uint8Array.of(Number(value) >> 8, Number(value) & 0xff);
}

function u32(value: string, text: string): Uint8Array {
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff)
    throw new RecordTextError(`bad 32-bit number '${value}' in "${text}"`);
  const n = Number(value);
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => Array.from(p)));
}

function expect(tokens: readonly string[], count: number, type: string, text: string): string[] {
  if (tokens.length !== count)
    throw new RecordTextError(
      `${type} wants ${count} rdata field(s), got ${tokens.length} in "${text}"`,
    );
  return [...tokens];
}

function encodeRdata(type: number, tokens: string[], text: string): Uint8Array {
  if (tokens[0] === '\\#') return genericRdata(tokens.slice(1), text);
  switch (type) {
    case RRType.A: {
      const [address = ''] = expect(tokens, 1, 'A', text);
      const bytes = parseIPv4(address);
      if (bytes === undefined) throw new RecordTextError(`bad IPv4 address '${address}'`);
      return bytes;
    }
    case RRType.AAAA: {
      const [address = ''] = expect(tokens, 1, 'AAAA', text);
      const bytes = parseIPv6(address);
      if (bytes === undefined) throw new RecordTextError(`bad IPv6 address '${address}'`);
      return bytes;
    }
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
    case 39: // DNAME
      return wireName(expect(tokens, 1, 'name', text)[0] ?? '');
    case RRType.MX: {
      const [preference = '', exchange = ''] = expect(tokens, 2, 'MX', text);
      return concat([u16(preference, text), wireName(exchange)]);
    }
    case RRType.SRV: {
      const [priority = '', weight = '', port = '', target = ''] = expect(tokens, 4, 'SRV', text);
      return concat([u16(priority, text), u16(weight, text), u16(port, text), wireName(target)]);
    }
    case RRType.SOA: {
      const [mname = '', rname = '', ...numbers] = expect(tokens, 7, 'SOA', text);
      return concat([wireName(mname), wireName(rname), ...numbers.map((n) => u32(n, text))]);
    }
    case RRType.TXT:
      return txtRdata(tokens, text);
    default:
      throw new RecordTextError(
        `type ${type} needs RFC 3597 rdata (\\# <length> <hex>) in "${text}"`,
      );
  }
}

function txtRdata(tokens: readonly string[], text: string): Uint8Array {
  if (tokens.length === 0) throw new RecordTextError(`TXT without text in "${text}"`);
  const parts: Uint8Array[] = [];
  for (const token of tokens) {
    const bytes = Buffer.from(token.startsWith('"') ? token.slice(1) : token, 'utf8');
    if (bytes.length > 255) throw new RecordTextError(`TXT string over 255 bytes in "${text}"`);
    parts.push(Uint8Array.of(bytes.length), bytes);
  }
  return concat(parts);
}

function genericRdata(tokens: readonly string[], text: string): Uint8Array {
  const [length = '', ...hex] = tokens;
  const data = hex.join('');
  if (
    !/^\d+$/.test(length) ||
    !/^([0-9a-fA-F]{2})*$/.test(data) ||
    data.length / 2 !== Number(length)
  )
    throw new RecordTextError(`bad RFC 3597 rdata in "${text}"`);
  return Uint8Array.from(Buffer.from(data, 'hex'));
}
