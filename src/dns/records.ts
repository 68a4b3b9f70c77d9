// A whole message as a list of records with every name expanded (owners, and the names inside
// NS, CNAME, PTR, DNAME, MX, SRV and SOA rdata), and back to wire. For the few plugins that must
// rename or reorder records (rewrite's answer reversal, loadbalance): moving or renaming bytes
// of a compressed message would break its pointers, so they work on this form instead. Cold
// compared with the cache path; the OPT record is kept as it came.

import { HEADER_LENGTH, RRType } from './constants.ts';
import { type MessageLayout, Section, walkMessage } from './message.ts';
import { nameToWire, readName, skipName } from './name.ts';

export interface ExpandedRecord {
  readonly section: Section;
  /** Owner name, uncompressed wire form. */
  name: Uint8Array;
  type: number;
  readonly class: number;
  ttl: number;
  /** Rdata with any embedded names uncompressed. */
  rdata: Uint8Array;
}

export interface ExpandedMessage {
  id: number;
  flags: number;
  /** The first question (a reply to a scanned query has exactly one), or undefined. */
  question: { name: Uint8Array; type: number; class: number } | undefined;
  records: ExpandedRecord[];
}

/** Where a type carries names in its rdata: [bytes before the first name, number of names]. */
const NAMES_IN_RDATA: Readonly<Record<number, readonly [number, number]>> = {
  [RRType.NS]: [0, 1],
  [RRType.CNAME]: [0, 1],
  [RRType.PTR]: [0, 1],
  39: [0, 1], // DNAME
  [RRType.MX]: [2, 1],
  [RRType.SRV]: [6, 1],
  [RRType.SOA]: [0, 2],
};

function expandName(wire: Uint8Array, offset: number): { name: Uint8Array; end: number } {
  return { name: nameToWire(readName(wire, offset)), end: skipName(wire, offset) };
}

/** Throws WireFormatError on malformed input (as walkMessage does). */
export function expandMessage(
  wire: Buffer,
  layout: MessageLayout = walkMessage(wire),
): ExpandedMessage {
  const question =
    layout.qdcount > 0
      ? {
          name: expandName(wire, HEADER_LENGTH).name,
          type: layout.qtype,
          class: layout.qclass,
        }
      : undefined;
  const records = layout.records.map((span): ExpandedRecord => {
    const afterName = skipName(wire, span.start);
    const rdataStart = afterName + 10;
    const owner = span.type === RRType.OPT ? Uint8Array.of(0) : expandName(wire, span.start).name;
    return {
      section: span.section,
      name: owner,
      type: span.type,
      class: wire.readUInt16BE(afterName + 2),
      ttl: wire.readUInt32BE(afterName + 4),
      rdata: expandRdata(wire, span.type, rdataStart, span.end),
    };
  });
  return { id: layout.id, flags: layout.flags, question, records };
}

function expandRdata(wire: Buffer, type: number, start: number, end: number): Uint8Array {
  const shape = NAMES_IN_RDATA[type];
  if (shape === undefined) return Uint8Array.from(wire.subarray(start, end));
  const [fixed, count] = shape;
  const parts: Uint8Array[] = [wire.subarray(start, start + fixed)];
  let pos = start + fixed;
  for (let i = 0; i < count; i++) {
    const { name, end: after } = expandName(wire, pos);
    parts.push(name);
    pos = after;
  }
  parts.push(wire.subarray(pos, end));
  return Buffer.concat(parts);
}

/** The names inside a record's rdata, with a function to put changed ones back. */
export function rdataNames(r: ExpandedRecord): {
  names: Uint8Array[];
  replace(names: Uint8Array[]): void;
} {
  const shape = NAMES_IN_RDATA[r.type];
  if (shape === undefined) return { names: [], replace() {} };
  const [fixed, count] = shape;
  const names: Uint8Array[] = [];
  let pos = fixed;
  for (let i = 0; i < count; i++) {
    const end = skipName(r.rdata, pos);
    names.push(r.rdata.subarray(pos, end));
    pos = end;
  }
  const tail = r.rdata.subarray(pos);
  const head = r.rdata.subarray(0, fixed);
  return {
    names,
    replace(next) {
      r.rdata = Buffer.concat([head, ...next, tail]);
    },
  };
}

/** Wire form: owners equal to the question name point to it, everything else uncompressed. */
export function packMessage(m: ExpandedMessage): Buffer {
  const q = m.question;
  const qname = q === undefined ? undefined : Buffer.from(q.name);
  const counts = [0, 0, 0];
  const parts: Buffer[] = [];
  const header = Buffer.alloc(HEADER_LENGTH);
  parts.push(header);
  if (q !== undefined && qname !== undefined) {
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(q.type, 0);
    tail.writeUInt16BE(q.class, 2);
    parts.push(qname, tail);
  }
  // Sections must stay in order: answer, authority, additional.
  const ordered = [...m.records].sort((a, b) => a.section - b.section);
  for (const r of ordered) {
    counts[r.section] = (counts[r.section] as number) + 1;
    const owner = qname?.equals(r.name) ? Buffer.of(0xc0, HEADER_LENGTH) : Buffer.from(r.name);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(r.type, 0);
    fixed.writeUInt16BE(r.class, 2);
    fixed.writeUInt32BE(r.ttl >>> 0, 4);
    fixed.writeUInt16BE(r.rdata.length, 8);
    parts.push(owner, fixed, Buffer.from(r.rdata));
  }
  header.writeUInt16BE(m.id, 0);
  header.writeUInt16BE(m.flags, 2);
  header.writeUInt16BE(q === undefined ? 0 : 1, 4);
  header.writeUInt16BE(counts[Section.ANSWER] as number, 6);
  header.writeUInt16BE(counts[Section.AUTHORITY] as number, 8);
  header.writeUInt16BE(counts[Section.ADDITIONAL] as number, 10);
  return Buffer.concat(parts);
}
