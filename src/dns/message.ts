// A full walk over a DNS message (used on responses, once per upstream answer): where every
// record starts and ends, where its TTL lives, the OPT record, and the SOA in the authority
// section. Nothing is decoded into objects; callers patch or slice the original bytes.

import { u16, u32 } from './bytes.ts';
import { HEADER_LENGTH, RCODE_MASK, RRType } from './constants.ts';
import { WireFormatError } from './errors.ts';
import { skipName } from './name.ts';

export const Section = { ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 2 } as const;
export type Section = (typeof Section)[keyof typeof Section];

/** One resource record's position in the message. */
export interface RecordSpan {
  readonly start: number;
  readonly end: number;
  readonly type: number;
  readonly section: Section;
  /** Offset of the 32-bit TTL field. */
  readonly ttlOffset: number;
}

export interface MessageLayout {
  readonly id: number;
  readonly flags: number;
  /** The 4-bit header rcode (an OPT may extend it; see `extendedRcode`). */
  readonly rcode: number;
  readonly qdcount: number;
  /** Offset just past the first question's name; 0 when there is no question. */
  readonly qnameEnd: number;
  readonly qtype: number;
  readonly qclass: number;
  /** Offset just past the question section. */
  readonly questionEnd: number;
  readonly records: readonly RecordSpan[];
  readonly ancount: number;
  readonly nscount: number;
  /** OPT record span, or undefined. */
  readonly opt: RecordSpan | undefined;
  /** Full rcode: header rcode plus the OPT's upper 8 bits. */
  readonly extendedRcode: number;
  /** Smallest TTL over all records except OPT; undefined when there are none. */
  readonly minTtl: number | undefined;
  /** TTL and MINIMUM of the first SOA in the authority section (RFC 2308 negative TTL). */
  readonly soa: { readonly ttl: number; readonly minimum: number } | undefined;
  readonly hasAuthorityNs: boolean;
}

/** Walks a whole message; throws WireFormatError on anything malformed or trailing bytes. */
export function walkMessage(wire: Uint8Array): MessageLayout {
  if (wire.length < HEADER_LENGTH)
    throw new WireFormatError('ERR_DNS_TRUNCATED', 'shorter than a header', 0);
  const flags = u16(wire, 2);
  const qdcount = u16(wire, 4);
  const ancount = u16(wire, 6);
  const nscount = u16(wire, 8);
  const arcount = u16(wire, 10);
  let pos = HEADER_LENGTH;
  let qnameEnd = 0;
  let qtype = 0;
  let qclass = 0;
  for (let i = 0; i < qdcount; i++) {
    const nameEnd = skipName(wire, pos);
    if (nameEnd + 4 > wire.length)
      throw new WireFormatError('ERR_DNS_TRUNCATED', 'question cut short', nameEnd);
    if (i === 0) {
      qnameEnd = nameEnd;
      qtype = u16(wire, nameEnd);
      qclass = u16(wire, nameEnd + 2);
    }
    pos = nameEnd + 4;
  }
  const questionEnd = pos;
  const total = ancount + nscount + arcount;
  // Sized up front: a growing array starts at 16 slots, most answers have 1-3 records. Every
  // record takes at least 11 bytes, so a bogus count cannot make this big.
  const records: RecordSpan[] = new Array(Math.min(total, Math.floor((wire.length - pos) / 11)));
  let opt: RecordSpan | undefined;
  let minTtl: number | undefined;
  let soa: { ttl: number; minimum: number } | undefined;
  let hasAuthorityNs = false;
  for (let i = 0; i < total; i++) {
    const section: Section =
      i < ancount ? Section.ANSWER : i < ancount + nscount ? Section.AUTHORITY : Section.ADDITIONAL;
    const afterName = skipName(wire, pos);
    if (afterName + 10 > wire.length)
      throw new WireFormatError('ERR_DNS_TRUNCATED', 'record header cut short', afterName);
    const type = u16(wire, afterName);
    const ttl = u32(wire, afterName + 4);
    const end = afterName + 10 + u16(wire, afterName + 8);
    if (end > wire.length)
      throw new WireFormatError('ERR_DNS_TRUNCATED', 'rdata runs past the end', afterName + 8);
    const span: RecordSpan = { start: pos, end, type, section, ttlOffset: afterName + 4 };
    if (type === RRType.OPT) {
      if (opt !== undefined || section !== Section.ADDITIONAL) {
        throw new WireFormatError('ERR_DNS_BAD_OPT', 'misplaced or repeated OPT record', pos);
      }
      opt = span;
    } else {
      // RFC 2181 8: a TTL with the top bit set is treated as zero.
      const effective = ttl > 0x7fffffff ? 0 : ttl;
      minTtl = minTtl === undefined ? effective : Math.min(minTtl, effective);
      if (section === Section.AUTHORITY) {
        if (type === RRType.SOA && soa === undefined)
          soa = { ttl: effective, minimum: soaMinimum(wire, afterName + 10, end) };
        if (type === RRType.NS) hasAuthorityNs = true;
      }
    }
    records[i] = span;
    pos = end;
  }
  if (pos !== wire.length)
    throw new WireFormatError('ERR_DNS_TRAILING_DATA', 'bytes after the last record', pos);
  const rcode = flags & RCODE_MASK;
  const extendedRcode = opt === undefined ? rcode : ((wire[opt.ttlOffset] as number) << 4) | rcode;
  return {
    id: u16(wire, 0),
    flags,
    rcode,
    qdcount,
    qnameEnd,
    qtype,
    qclass,
    questionEnd,
    records,
    ancount,
    nscount,
    opt,
    extendedRcode,
    minTtl,
    soa,
    hasAuthorityNs,
  };
}

/** SOA rdata is MNAME, RNAME, then five u32s; MINIMUM is the last. */
function soaMinimum(wire: Uint8Array, rdata: number, end: number): number {
  const afterNames = skipName(wire, skipName(wire, rdata));
  if (afterNames + 20 !== end)
    throw new WireFormatError('ERR_DNS_TRUNCATED', 'SOA rdata has the wrong length', rdata);
  const minimum = u32(wire, afterNames + 16);
  return minimum > 0x7fffffff ? 0 : minimum;
}

/**
 * True when two messages carry the same first question: qtype, qclass and the name, ignoring
 * ASCII case. Both names sit uncompressed at offset 12 (a question has nothing to point back to).
 * `b` may start `bStart` bytes into its buffer (a TCP frame's length prefix), so callers need
 * no subarray of their own; `bNameEnd` counts from the message's start either way.
 */
export function sameQuestion(
  a: Uint8Array,
  aNameEnd: number,
  b: Uint8Array,
  bNameEnd: number,
  bStart = 0,
): boolean {
  if (aNameEnd !== bNameEnd || a.length < aNameEnd + 4 || b.length < bStart + bNameEnd + 4)
    return false;
  for (let i = HEADER_LENGTH; i < aNameEnd + 4; i++) {
    let x = a[i] as number;
    let y = b[bStart + i] as number;
    if (i < aNameEnd) {
      if (x >= 0x41 && x <= 0x5a) x |= 0x20;
      if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    }
    if (x !== y) return false;
  }
  return true;
}
