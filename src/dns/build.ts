// Replies the agent writes itself (error replies, probes) and the OPT record it adds to them.
// Relayed and cached answers are never rebuilt here; they are patched in place elsewhere.

import { EDNS_DO, Flag, HEADER_LENGTH, OPCODE_MASK, Rcode, RRType } from './constants.ts';
import type { ScannedQuery } from './query.ts';

/** UDP payload size the agent advertises in its own OPT records (the DNS Flag Day 2020 value). */
export const ADVERTISED_UDP_SIZE = 1232;
export const OPT_RECORD_LENGTH = 11;

/**
 * Writes a bare OPT record (no options) at `offset`: root owner, our UDP size, the upper bits
 * of the rcode, version 0 and the DO bit. Returns the offset after it.
 */
export function writeOpt(buf: Buffer, offset: number, rcode: number, dnssecOk: boolean): number {
  buf[offset] = 0;
  buf.writeUInt16BE(RRType.OPT, offset + 1);
  buf.writeUInt16BE(ADVERTISED_UDP_SIZE, offset + 3);
  buf[offset + 5] = (rcode >> 4) & 0xff;
  buf[offset + 6] = 0; // EDNS version 0
  buf.writeUInt16BE(dnssecOk ? EDNS_DO : 0, offset + 7);
  buf.writeUInt16BE(0, offset + 9);
  return offset + OPT_RECORD_LENGTH;
}

/**
 * A reply carrying only a header, the client's question (when it scanned) and, if the client
 * sent EDNS, an OPT. ID, opcode, RD and CD come from the query; QR=1; AA=0; RA=1 because the
 * agent offers recursion (CoreDNS leaves RA=0, which makes dig warn on every SERVFAIL).
 */
export function buildErrorReply(q: ScannedQuery, rcode: number): Buffer {
  const withQuestion = q.questionEnd > 0 && q.questionEnd <= q.wire.length;
  // BADVERS needs an OPT even though the client's OPT was unusable (RFC 6891 6.1.3).
  const withOpt = q.hasEdns || rcode > 0xf;
  const questionLength = withQuestion ? q.questionEnd - HEADER_LENGTH : 0;
  const buf = Buffer.allocUnsafe(
    HEADER_LENGTH + questionLength + (withOpt ? OPT_RECORD_LENGTH : 0),
  );
  buf.writeUInt16BE(q.id, 0);
  const copied = q.flags & (OPCODE_MASK | Flag.RD | Flag.CD);
  buf.writeUInt16BE(Flag.QR | Flag.RA | copied | (rcode & 0xf), 2);
  buf.writeUInt16BE(withQuestion ? 1 : 0, 4);
  buf.writeUInt32BE(0, 6); // ANCOUNT, NSCOUNT
  buf.writeUInt16BE(withOpt ? 1 : 0, 10);
  if (withQuestion) q.wire.copy(buf, HEADER_LENGTH, HEADER_LENGTH, q.questionEnd);
  if (withOpt) writeOpt(buf, HEADER_LENGTH + questionLength, rcode, q.dnssecOk);
  return buf;
}

/** FORMERR for a packet whose question did not scan: header only (CoreDNS sends QDCOUNT 0). */
export function buildFormErr(q: ScannedQuery): Buffer {
  return buildErrorReply(q, Rcode.FORMERR);
}

/** A query message: header with a fresh ID, one question, optional bare OPT. For probes and tests. */
export function buildQuery(
  id: number,
  qnameWire: Uint8Array,
  qtype: number,
  options: { recursionDesired?: boolean; edns?: boolean; dnssecOk?: boolean; qclass?: number } = {},
): Buffer {
  const edns = options.edns ?? false;
  const buf = Buffer.allocUnsafe(
    HEADER_LENGTH + qnameWire.length + 4 + (edns ? OPT_RECORD_LENGTH : 0),
  );
  buf.writeUInt16BE(id, 0);
  buf.writeUInt16BE(options.recursionDesired === false ? 0 : Flag.RD, 2);
  buf.writeUInt16BE(1, 4);
  buf.writeUInt32BE(0, 6);
  buf.writeUInt16BE(edns ? 1 : 0, 10);
  buf.set(qnameWire, HEADER_LENGTH);
  let pos = HEADER_LENGTH + qnameWire.length;
  buf.writeUInt16BE(qtype, pos);
  buf.writeUInt16BE(options.qclass ?? 1, pos + 2);
  pos += 4;
  if (edns) writeOpt(buf, pos, 0, options.dnssecOk ?? false);
  return buf;
}
