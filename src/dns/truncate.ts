// Fitting a reply into the client's buffer, in CoreDNS's order: keep whole records from the
// answer, then authority, then additional sections until the next would not fit; keep the OPT;
// set TC when anything was dropped. Pointers only point backwards, so a prefix of the records
// keeps every compression pointer valid.

import { Flag, HEADER_LENGTH } from './constants.ts';
import { type MessageLayout, Section, walkMessage } from './message.ts';

/** Returns `wire` itself when it fits, else a new, shorter message with TC set. */
export function fitToLimit(
  wire: Buffer,
  limit: number,
  layout: MessageLayout = walkMessage(wire),
): Buffer {
  if (wire.length <= limit) return wire;
  const optLength = layout.opt === undefined ? 0 : layout.opt.end - layout.opt.start;
  const budget = limit - optLength;
  let end = layout.questionEnd;
  const counts = [0, 0, 0];
  for (const r of layout.records) {
    if (r === layout.opt) continue;
    // Records are contiguous, but the OPT may sit between kept records: count length, not offset.
    const length = r.end - r.start;
    if (end + length > budget) break;
    end += length;
    counts[r.section] = (counts[r.section] as number) + 1;
  }
  const out = Buffer.allocUnsafe(Math.max(end, HEADER_LENGTH) + optLength);
  wire.copy(out, 0, 0, layout.questionEnd);
  let pos = layout.questionEnd;
  let kept = 0;
  const keptTotal = (counts[0] as number) + (counts[1] as number) + (counts[2] as number);
  for (const r of layout.records) {
    if (kept === keptTotal) break;
    if (r === layout.opt) continue;
    wire.copy(out, pos, r.start, r.end);
    pos += r.end - r.start;
    kept++;
  }
  if (layout.opt !== undefined) {
    wire.copy(out, pos, layout.opt.start, layout.opt.end);
    pos += optLength;
  }
  out.writeUInt16BE(out.readUInt16BE(2) | Flag.TC, 2);
  out.writeUInt16BE(counts[Section.ANSWER] as number, 6);
  out.writeUInt16BE(counts[Section.AUTHORITY] as number, 8);
  out.writeUInt16BE(
    (counts[Section.ADDITIONAL] as number) + (layout.opt === undefined ? 0 : 1),
    10,
  );
  return out.subarray(0, pos);
}
