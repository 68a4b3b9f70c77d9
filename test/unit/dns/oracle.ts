// Independent oracles for the wire walkers: written without any code from src/dns, so the
// tests compare two implementations of the same rules (RFC 1035 names with backward-only
// pointers, at most 127 hops, 255 bytes; RFC 6891 OPT placement).

/**
 * Oracle for name walking: returns the end offset in the original stream and the decoded
 * label bytes, or a string saying why the name is invalid. Rules (RFC 1035 + the project's):
 * pointers only to strictly earlier bytes, at most 127 of them, at most 255 bytes in total,
 * label types 01/10 rejected.
 */
export function oracleName(
  buf: Uint8Array,
  offset: number,
): { end: number; labels: number[][] } | string {
  const out: number[][] = [];
  let total = 1;
  let hops = 0;
  let pos = offset;
  let end: number | undefined;
  while (true) {
    const len = buf[pos];
    if (len === undefined) return 'past end';
    if (len === 0) return { end: end ?? pos + 1, labels: out };
    if (len >= 0xc0) {
      const lo = buf[pos + 1];
      if (lo === undefined) return 'pointer cut';
      const target = (len - 0xc0) * 256 + lo;
      end ??= pos + 2;
      if (!(target < pos)) return 'forward pointer';
      hops += 1;
      if (hops > 127) return 'too many hops';
      pos = target;
    } else if (len >= 0x40) {
      return 'label type';
    } else {
      total += len + 1;
      if (total > 255) return 'too long';
      const bytes = Array.from(buf.subarray(pos + 1, pos + 1 + len));
      if (bytes.length < len) {
        // the label runs past the end; the next read fails
        return 'past end';
      }
      out.push(bytes);
      pos += len + 1;
    }
  }
}

export interface OracleRecord {
  start: number;
  end: number;
  type: number;
  section: 0 | 1 | 2;
  ttlOffset: number;
  ttl: number;
}

export interface OracleMessage {
  questionEnd: number;
  records: OracleRecord[];
  /** Smallest TTL over non-OPT records (top bit set counts as 0). */
  minTtl: number | undefined;
  /** MINIMUM of the first authority SOA (top bit set counts as 0). */
  soaMinimum: number | undefined;
}

const be16 = (b: Uint8Array, o: number): number => (b[o] ?? 0) * 256 + (b[o + 1] ?? 0);
const be32 = (b: Uint8Array, o: number): number => be16(b, o) * 65536 + be16(b, o + 2);

/** Walks a whole message by the rules walkMessage documents; a string says why it failed. */
export function oracleWalk(buf: Uint8Array): OracleMessage | string {
  if (buf.length < 12) return 'short header';
  const counts = [be16(buf, 4), be16(buf, 6), be16(buf, 8), be16(buf, 10)] as const;
  let pos = 12;
  for (let i = 0; i < counts[0]; i++) {
    const n = oracleName(buf, pos);
    if (typeof n === 'string') return n;
    if (n.end + 4 > buf.length) return 'question cut';
    pos = n.end + 4;
  }
  const questionEnd = pos;
  const records: OracleRecord[] = [];
  let minTtl: number | undefined;
  let soaMinimum: number | undefined;
  let sawOpt = false;
  const sections: (0 | 1 | 2)[] = [];
  for (let s = 0; s < 3; s++)
    for (let i = 0; i < (counts[s + 1] ?? 0); i++) sections.push(s as 0 | 1 | 2);
  for (const section of sections) {
    const owner = oracleName(buf, pos);
    if (typeof owner === 'string') return owner;
    const fixed = owner.end;
    if (fixed + 10 > buf.length) return 'rr header cut';
    const type = be16(buf, fixed);
    const ttl = be32(buf, fixed + 4);
    const end = fixed + 10 + be16(buf, fixed + 8);
    if (end > buf.length) return 'rdata cut';
    if (type === 41) {
      if (sawOpt || section !== 2) return 'bad opt';
      sawOpt = true;
    } else {
      const eff = ttl >= 0x80000000 ? 0 : ttl;
      minTtl = minTtl === undefined ? eff : Math.min(minTtl, eff);
      if (section === 1 && type === 6 && soaMinimum === undefined) {
        const m = oracleName(buf, fixed + 10);
        if (typeof m === 'string') return m;
        const r = oracleName(buf, m.end);
        if (typeof r === 'string') return r;
        if (r.end + 20 !== end) return 'soa length';
        const min = be32(buf, r.end + 16);
        soaMinimum = min >= 0x80000000 ? 0 : min;
      }
    }
    records.push({ start: pos, end, type, section, ttlOffset: fixed + 4, ttl });
    pos = end;
  }
  if (pos !== buf.length) return 'trailing';
  return { questionEnd, records, minTtl, soaMinimum };
}
