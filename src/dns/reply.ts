// Replies a plugin composes from records (hosts, template, whoami): CoreDNS's `m.SetReply(r)`
// plus sections. ID, opcode, RD and CD come from the query, the question is copied as the client
// wrote it, and the client's EDNS gets an OPT back (our UDP size, its DO bit). Owner names equal
// to the question name byte for byte are written as a pointer to it (a differently cased owner
// keeps its own case, as miekg/dns's case-sensitive compression does); the rest is uncompressed.

import { OPT_RECORD_LENGTH, writeOpt } from './build.ts';
import { Flag, HEADER_LENGTH, OPCODE_MASK } from './constants.ts';
import type { ScannedQuery } from './query.ts';
import type { WireRecord } from './record-text.ts';

export interface ReplySections {
  readonly rcode: number;
  readonly authoritative: boolean;
  readonly answer?: readonly WireRecord[];
  readonly authority?: readonly WireRecord[];
  readonly additional?: readonly WireRecord[];
}

const POINTER_TO_QUESTION = Uint8Array.of(0xc0, HEADER_LENGTH);

export function buildReply(q: ScannedQuery, sections: ReplySections): Buffer {
  const answer = sections.answer ?? [];
  const authority = sections.authority ?? [];
  const additional = sections.additional ?? [];
  const all = [...answer, ...authority, ...additional];
  const owners = all.map((r) => (sameAsQuestion(q, r.name) ? POINTER_TO_QUESTION : r.name));
  let length = q.questionEnd + (q.hasEdns ? OPT_RECORD_LENGTH : 0);
  for (const [i, r] of all.entries())
    length += (owners[i] as Uint8Array).length + 10 + r.rdata.length;
  const buf = Buffer.allocUnsafe(length);
  buf.writeUInt16BE(q.id, 0);
  const copied = q.flags & (OPCODE_MASK | Flag.RD | Flag.CD);
  const aa = sections.authoritative ? Flag.AA : 0;
  buf.writeUInt16BE(Flag.QR | aa | copied | (sections.rcode & 0xf), 2);
  buf.writeUInt16BE(1, 4);
  buf.writeUInt16BE(answer.length, 6);
  buf.writeUInt16BE(authority.length, 8);
  buf.writeUInt16BE(additional.length + (q.hasEdns ? 1 : 0), 10);
  q.wire.copy(buf, HEADER_LENGTH, HEADER_LENGTH, q.questionEnd);
  let pos = q.questionEnd;
  for (const [i, r] of all.entries()) {
    const owner = owners[i] as Uint8Array;
    buf.set(owner, pos);
    pos += owner.length;
    buf.writeUInt16BE(r.type, pos);
    buf.writeUInt16BE(r.class, pos + 2);
    buf.writeUInt32BE(r.ttl >>> 0, pos + 4);
    buf.writeUInt16BE(r.rdata.length, pos + 8);
    buf.set(r.rdata, pos + 10);
    pos += 10 + r.rdata.length;
  }
  if (q.hasEdns) writeOpt(buf, pos, sections.rcode, q.dnssecOk);
  return buf;
}

function sameAsQuestion(q: ScannedQuery, name: Uint8Array): boolean {
  if (name.length !== q.qnameLength) return false;
  for (let i = 0; i < name.length; i++) if (name[i] !== q.wire[HEADER_LENGTH + i]) return false;
  return true;
}
