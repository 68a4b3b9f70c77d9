// Fitting a reply into the client's buffer, in CoreDNS's order: keep whole records from the
// answer, then authority, then additional sections until the next would not fit; keep the OPT;
// set TC when anything was dropped. The result is a byte prefix of the original message (plus
// the OPT when it sat after the cut), so every compression pointer in it stays valid.

import { Flag } from './constants.ts';
import { type MessageLayout, Section, walkMessage } from './message.ts';

/**
 * Returns `wire` itself when it fits, else a new, shorter message with TC set. When nothing can
 * be dropped (a question and OPT already over the limit) the message is returned unchanged.
 */
export function fitToLimit(
  wire: Buffer,
  limit: number,
  layout: MessageLayout = walkMessage(wire),
): Buffer {
  if (wire.length <= limit) return wire;
  const opt = layout.opt;
  const optLength = opt === undefined ? 0 : opt.end - opt.start;
  // `end` is where the kept prefix stops in the original bytes. An OPT inside the prefix stays
  // in place (moving it would shift the records after it and break pointers into them); an OPT
  // after the cut is appended, so its length is reserved until the prefix has passed it.
  let end = layout.questionEnd;
  let optInPrefix = false;
  let dropped = false;
  const counts = [0, 0, 0];
  for (const r of layout.records) {
    if (r === opt) {
      optInPrefix = true;
      end = r.end;
      continue;
    }
    if (r.end + (optInPrefix ? 0 : optLength) > limit) {
      dropped = true;
      break;
    }
    end = r.end;
    counts[r.section] = (counts[r.section] as number) + 1;
  }
  if (!dropped) return wire;
  const appendOpt = opt !== undefined && !optInPrefix;
  const out = Buffer.allocUnsafe(end + (appendOpt ? optLength : 0));
  wire.copy(out, 0, 0, end);
  if (appendOpt) wire.copy(out, end, opt.start, opt.end);
  out.writeUInt16BE(out.readUInt16BE(2) | Flag.TC, 2);
  out.writeUInt16BE(counts[Section.ANSWER] as number, 6);
  out.writeUInt16BE(counts[Section.AUTHORITY] as number, 8);
  out.writeUInt16BE((counts[Section.ADDITIONAL] as number) + (opt === undefined ? 0 : 1), 10);
  return out;
}
