// A new query from a scanned one with its question and/or EDNS options replaced (rewrite,
// bufsize): the header and every record but the OPT are copied as they are. Pure.

import { HEADER_LENGTH, RRType } from './constants.ts';
import type { ScannedQuery } from './query.ts';

export interface EdnsOption {
  readonly code: number;
  readonly data: Uint8Array;
}

/** UDP size CoreDNS puts in an OPT it adds to a query that had none (rewrite's edns0 rules). */
export const ADDED_OPT_UDP_SIZE = 4096;

/** The options of the query's OPT record, in order; [] without EDNS. */
export function readEdnsOptions(q: ScannedQuery): EdnsOption[] {
  if (!q.hasEdns) return [];
  const wire = q.wire;
  const out: EdnsOption[] = [];
  let pos = q.optStart + 11; // root owner (1) + type, class, ttl, rdlength (10)
  while (pos + 4 <= q.optEnd) {
    const length = wire.readUInt16BE(pos + 2);
    out.push({ code: wire.readUInt16BE(pos), data: wire.subarray(pos + 4, pos + 4 + length) });
    pos += 4 + length;
  }
  return out;
}

export interface QueryChanges {
  /** Question name in wire form (uncompressed). */
  readonly qname?: Uint8Array;
  readonly qtype?: number;
  readonly qclass?: number;
  /** New option list; a query without OPT gets one. */
  readonly options?: readonly EdnsOption[];
  /** New advertised UDP size; ignored for a query without OPT unless `options` adds one. */
  readonly udpSize?: number;
}

export function rebuildQuery(q: ScannedQuery, changes: QueryChanges): Buffer {
  const wire = q.wire;
  const qname = changes.qname ?? wire.subarray(HEADER_LENGTH, q.qnameEnd);
  const question = Buffer.alloc(qname.length + 4);
  question.set(qname, 0);
  question.writeUInt16BE(changes.qtype ?? q.qtype, qname.length);
  question.writeUInt16BE(changes.qclass ?? q.qclass, qname.length + 2);
  const header = Buffer.from(wire.subarray(0, HEADER_LENGTH));
  const wantOpt = q.hasEdns || changes.options !== undefined;
  if (!wantOpt) return Buffer.concat([header, question, wire.subarray(q.questionEnd)]);
  const opt = buildOpt(q, changes);
  if (!q.hasEdns) {
    header.writeUInt16BE(header.readUInt16BE(10) + 1, 10);
    return Buffer.concat([header, question, wire.subarray(q.questionEnd), opt]);
  }
  return Buffer.concat([
    header,
    question,
    wire.subarray(q.questionEnd, q.optStart),
    opt,
    wire.subarray(q.optEnd),
  ]);
}

function buildOpt(q: ScannedQuery, changes: QueryChanges): Buffer {
  const options = changes.options ?? readEdnsOptions(q);
  const rdlength = options.reduce((n, o) => n + 4 + o.data.length, 0);
  const opt = Buffer.alloc(11 + rdlength);
  opt[0] = 0;
  opt.writeUInt16BE(RRType.OPT, 1);
  if (q.hasEdns) {
    // Class (UDP size) and TTL (extended rcode, version, flags) as the client sent them.
    q.wire.copy(opt, 3, q.optStart + 3, q.optStart + 9);
  } else {
    opt.writeUInt16BE(ADDED_OPT_UDP_SIZE, 3);
  }
  if (changes.udpSize !== undefined) opt.writeUInt16BE(changes.udpSize, 3);
  opt.writeUInt16BE(rdlength, 9);
  let pos = 11;
  for (const o of options) {
    opt.writeUInt16BE(o.code, pos);
    opt.writeUInt16BE(o.data.length, pos + 2);
    opt.set(o.data, pos + 4);
    pos += 4 + o.data.length;
  }
  return opt;
}
