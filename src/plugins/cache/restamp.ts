// The cache-hit hot path: copy the stored bytes once and patch what belongs to this client and
// this moment. Nothing is decoded. The client gets its own ID, its own question bytes (so 0x20
// case randomisation survives), RD/CD from its query, and every TTL set to what is left.

import { OPT_RECORD_LENGTH, writeOpt } from '../../dns/build.ts';
import { Flag, OPCODE_MASK, RCODE_MASK } from '../../dns/constants.ts';
import { latin1Write } from '../../dns/latin1.ts';
import type { ScannedQuery } from '../../dns/query.ts';
import type { CacheEntry } from './entry.ts';

/** Header bits a cached answer keeps from upstream; the rest come from the query or are zero. */
const STORED_FLAGS = Flag.AD | RCODE_MASK;

/**
 * Builds the reply to `q` from `entry` with every TTL set to `ttl` seconds.
 * AA is always 0: a cache is not an authority for what it serves (RFC 1035 4.1.1), unlike
 * CoreDNS, which sets AA=1 on every hit. AD survives only when the client asked for DNSSEC data
 * (DO) or set AD itself (RFC 6840 5.8).
 */
export function restamp(entry: CacheEntry, q: ScannedQuery, ttl: number): Buffer {
  const stored = entry.wire;
  const optLength = q.hasEdns ? OPT_RECORD_LENGTH : 0;
  const out = Buffer.allocUnsafe(stored.length + optLength);
  latin1Write(out, stored, 0);
  out.writeUInt16BE(q.id, 0);
  // RA=1: the agent offers recursion, whatever an authoritative upstream said.
  let flags =
    (((stored.charCodeAt(2) << 8) | stored.charCodeAt(3)) & STORED_FLAGS) |
    Flag.QR |
    Flag.RA |
    (q.flags & (OPCODE_MASK | Flag.RD | Flag.CD));
  if (!q.dnssecOk && (q.flags & Flag.AD) === 0) flags &= ~Flag.AD;
  out.writeUInt16BE(flags, 2);
  q.wire.copy(out, 12, 12, q.questionEnd);
  const offsets = entry.ttlOffsets;
  for (let i = 0; i < offsets.length; i++) out.writeUInt32BE(ttl, offsets.charCodeAt(i));
  if (optLength > 0) {
    writeOpt(out, stored.length, 0, q.dnssecOk);
    out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
  }
  return out;
}
