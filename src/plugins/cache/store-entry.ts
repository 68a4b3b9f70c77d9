// Turning an upstream reply into a CacheEntry: drop the OPT record (the reply to each client
// carries an OPT built from that client's query) and note where every TTL sits.

import { RRType } from '../../dns/constants.ts';
import type { MessageLayout } from '../../dns/message.ts';
import { CacheEntry, type EntryKind } from './entry.ts';

export function makeEntry(
  key: string,
  wire: Buffer,
  layout: MessageLayout,
  kind: EntryKind,
  ttl: number,
  now: number,
): CacheEntry {
  const opt = layout.opt;
  let stored: Buffer;
  const offsets: number[] = [];
  if (opt === undefined) {
    stored = wire;
    for (const r of layout.records) offsets.push(r.ttlOffset);
  } else {
    const optLength = opt.end - opt.start;
    stored = Buffer.allocUnsafe(wire.length - optLength);
    wire.copy(stored, 0, 0, opt.start);
    wire.copy(stored, opt.start, opt.end);
    stored.writeUInt16BE(stored.readUInt16BE(10) - 1, 10);
    for (const r of layout.records) {
      if (r.type === RRType.OPT) continue;
      offsets.push(r.ttlOffset > opt.start ? r.ttlOffset - optLength : r.ttlOffset);
    }
  }
  return new CacheEntry(key, stored.toString('latin1'), offsets, kind, now, ttl);
}
