// Decodes a wire message into the same shape dig's output parses into (names with trailing
// dots, rdata in presentation form), so tests can compare the project's replies with dig's
// view of a reference server field by field. Built on walkMessage; cold path only.

import { formatIP } from '../../src/dns/address.ts';
import {
  className,
  Flag,
  OPCODE_MASK,
  OPCODE_SHIFT,
  RRType,
  rcodeName,
  typeName,
} from '../../src/dns/constants.ts';
import { type MessageLayout, Section, walkMessage } from '../../src/dns/message.ts';
import { readName, skipName } from '../../src/dns/name.ts';
import type { DigRecord } from './dig.ts';

export interface InspectedMessage {
  id: number;
  opcode: number;
  /** Full rcode (header plus OPT extension) and its name. */
  rcode: number;
  status: string;
  /** Set header flags in dig's order: qr aa tc rd ra z ad cd. */
  flags: string[];
  question: { name: string; class: string; type: string } | undefined;
  answer: DigRecord[];
  authority: DigRecord[];
  additional: DigRecord[];
  edns:
    | { present: false }
    | {
        present: true;
        version: number;
        udpSize: number;
        do: boolean;
        options: { code: number; data: Buffer }[];
      };
  layout: MessageLayout;
}

const FLAG_ORDER: [string, number][] = [
  ['qr', Flag.QR],
  ['aa', Flag.AA],
  ['tc', Flag.TC],
  ['rd', Flag.RD],
  ['ra', Flag.RA],
  ['z', Flag.Z],
  ['ad', Flag.AD],
  ['cd', Flag.CD],
];

export function inspect(wire: Uint8Array): InspectedMessage {
  const buf = Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength);
  const layout = walkMessage(buf);
  const sections: [DigRecord[], DigRecord[], DigRecord[]] = [[], [], []];
  let edns: InspectedMessage['edns'] = { present: false };
  for (const span of layout.records) {
    const afterName = skipName(buf, span.start);
    const rdata = afterName + 10;
    if (span === layout.opt) {
      edns = {
        present: true,
        udpSize: buf.readUInt16BE(afterName + 2),
        version: buf[afterName + 5] as number,
        do: (buf.readUInt16BE(afterName + 6) & 0x8000) !== 0,
        options: readOptions(buf, rdata, span.end),
      };
      continue;
    }
    sections[span.section].push({
      name: readName(buf, span.start),
      ttl: buf.readUInt32BE(span.ttlOffset),
      class: className(buf.readUInt16BE(afterName + 2)),
      type: typeName(span.type),
      data: formatRdata(buf, span.type, rdata, span.end),
    });
  }
  return {
    id: layout.id,
    opcode: (layout.flags & OPCODE_MASK) >> OPCODE_SHIFT,
    rcode: layout.extendedRcode,
    status: rcodeName(layout.extendedRcode),
    flags: FLAG_ORDER.filter(([, mask]) => (layout.flags & mask) !== 0).map(([n]) => n),
    question:
      layout.qdcount > 0
        ? { name: readName(buf, 12), class: className(layout.qclass), type: typeName(layout.qtype) }
        : undefined,
    answer: sections[Section.ANSWER],
    authority: sections[Section.AUTHORITY],
    additional: sections[Section.ADDITIONAL],
    edns,
    layout,
  };
}

function readOptions(buf: Buffer, pos: number, end: number): { code: number; data: Buffer }[] {
  const out: { code: number; data: Buffer }[] = [];
  while (pos + 4 <= end) {
    const len = buf.readUInt16BE(pos + 2);
    out.push({
      code: buf.readUInt16BE(pos),
      data: Buffer.from(buf.subarray(pos + 4, pos + 4 + len)),
    });
    pos += 4 + len;
  }
  return out;
}

/**
 * Rdata in dig's presentation form for common types, RFC 3597 `\# len hex` otherwise, and also
 * when the rdata does not parse (walkMessage does not look inside rdata; fuzz packets lie there).
 */
export function formatRdata(buf: Buffer, type: number, start: number, end: number): string {
  try {
    // Cut at `end` so a name running past its rdata throws instead of reading the next record.
    const text = knownRdata(buf.subarray(0, end), type, start, end);
    if (text !== undefined) return text;
  } catch {
    // malformed rdata: the generic form below
  }
  const hex = end > start ? ` ${buf.subarray(start, end).toString('hex').toUpperCase()}` : '';
  return `\\# ${end - start}${hex}`;
}

function knownRdata(buf: Buffer, type: number, start: number, end: number): string | undefined {
  const expect = (length: number): void => {
    if (end - start !== length) throw new Error('rdata length does not match its fields');
  };
  switch (type) {
    case RRType.A:
      expect(4);
      return Array.from(buf.subarray(start, end)).join('.');
    case RRType.AAAA:
      expect(16);
      return formatIpv6(buf.subarray(start, end));
    case RRType.CNAME:
    case RRType.NS:
    case RRType.PTR:
      expect(skipName(buf, start) - start);
      return readName(buf, start);
    case RRType.MX:
      expect(skipName(buf, start + 2) - start);
      return `${buf.readUInt16BE(start)} ${readName(buf, start + 2)}`;
    case RRType.SRV: {
      expect(skipName(buf, start + 6) - start);
      const [prio, weight, port] = [0, 2, 4].map((o) => buf.readUInt16BE(start + o));
      return `${prio} ${weight} ${port} ${readName(buf, start + 6)}`;
    }
    case RRType.SOA: {
      const rname = skipName(buf, start);
      const nums = skipName(buf, rname);
      expect(nums + 20 - start);
      const fields = [0, 4, 8, 12, 16].map((o) => buf.readUInt32BE(nums + o));
      return `${readName(buf, start)} ${readName(buf, rname)} ${fields.join(' ')}`;
    }
    case RRType.TXT:
      return formatTxt(buf, start, end);
  }
  return undefined;
}

function formatTxt(buf: Buffer, pos: number, end: number): string {
  const parts: string[] = [];
  while (pos < end) {
    const len = buf[pos] as number;
    if (pos + 1 + len > end) throw new Error('TXT string runs past the rdata');
    let s = '';
    for (const b of buf.subarray(pos + 1, pos + 1 + len)) {
      if (b === 0x22 || b === 0x5c) s += `\\${String.fromCharCode(b)}`;
      else if (b < 0x20 || b >= 0x7f) s += `\\${b.toString().padStart(3, '0')}`;
      else s += String.fromCharCode(b);
    }
    parts.push(`"${s}"`);
    pos += 1 + len;
  }
  return parts.join(' ');
}

/** RFC 5952 text form (the agent's own formatter, src/dns/address.ts). */
export function formatIpv6(bytes: Uint8Array): string {
  return formatIP(bytes);
}
