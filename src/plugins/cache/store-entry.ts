// Turning an upstream reply into a CacheEntry: drop the OPT record (the reply to each client
// carries an OPT built from that client's query) and note where every TTL sits.
//
// This runs once per cache miss, so it allocates only what the entry keeps: the message string
// is cut from a reused scratch buffer rather than from a Buffer of its own, and the TTL offsets
// are appended to a string directly (no number[] first). A miss storm's collector work grows
// with every byte allocated per miss (bench/README.md, "Misses over TCP, profiled").

import { RRType } from '../../dns/constants.ts';
import { latin1Slice } from '../../dns/latin1.ts';
import type { MessageLayout } from '../../dns/message.ts';
import { CacheEntry, type EntryKind } from './entry.ts';

/** The message without its OPT record is assembled here; a DNS message is at most 65535 bytes. */
const scratch = Buffer.allocUnsafe(65535);

export function makeEntry(
  key: string,
  wire: Buffer,
  layout: MessageLayout,
  kind: EntryKind,
  ttl: number,
  now: number,
): CacheEntry {
  const opt = layout.opt;
  const records = layout.records;
  let offsets = '';
  let stored: string;
  if (opt === undefined) {
    for (let i = 0; i < records.length; i++)
      offsets += String.fromCharCode((records[i] as (typeof records)[number]).ttlOffset);
    stored = latin1Slice(wire, 0, wire.length);
  } else {
    const optLength = opt.end - opt.start;
    const length = wire.length - optLength;
    wire.copy(scratch, 0, 0, opt.start);
    wire.copy(scratch, opt.start, opt.end);
    const arcount = ((scratch[10] as number) << 8) | (scratch[11] as number);
    scratch[10] = (arcount - 1) >> 8;
    scratch[11] = (arcount - 1) & 0xff;
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as (typeof records)[number];
      if (r.type === RRType.OPT) continue;
      offsets += String.fromCharCode(
        r.ttlOffset > opt.start ? r.ttlOffset - optLength : r.ttlOffset,
      );
    }
    stored = latin1Slice(scratch, 0, length);
  }
  return new CacheEntry(key, stored, offsets, kind, now, ttl);
}
