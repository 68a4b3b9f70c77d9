// fast-check generators for DNS messages: raw soups of header, labels and pointers (mostly
// invalid), mutations of real packets, and valid responses (for truncation), whose names use
// compression pointers to the question and to earlier owners.

import fc from 'fast-check';

const u16 = (n: number): number[] => [(n >> 8) & 0xff, n & 0xff];

/** A name-like byte run: labels, pointers anywhere, odd label types, sometimes no root. */
const nameSoup: fc.Arbitrary<number[]> = fc
  .array(
    fc.oneof(
      fc
        .string({ unit: fc.constantFrom('a', 'B', '\u00c0', '\u00e0', '.', '\\'), maxLength: 70 })
        .map((s) => [Math.min(s.length, 63), ...[...s].slice(0, 63).map((c) => c.charCodeAt(0))]),
      fc.integer({ min: 0, max: 0x3fff }).map((p) => [0xc0 | (p >> 8), p & 0xff]),
      fc.integer({ min: 0, max: 40 }).map((p) => [0xc0, p]),
      fc.constantFrom([0x40], [0x80], [0x7f], [0xff]),
    ),
    { maxLength: 8 },
  )
  .chain((parts) => fc.boolean().map((root) => [...parts.flat(), ...(root ? [0] : [])]));

/** Headers with small, plausible counts (and sometimes huge ones). */
const headerSoup: fc.Arbitrary<number[]> = fc
  .record({
    id: fc.integer({ min: 0, max: 0xffff }),
    flags: fc.oneof(fc.constant(0x0100), fc.integer({ min: 0, max: 0xffff })),
    counts: fc.array(
      fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff })),
      {
        minLength: 4,
        maxLength: 4,
      },
    ),
  })
  .map((h) => [...u16(h.id), ...u16(h.flags), ...h.counts.flatMap(u16)]);

/** A record-like run: name soup, type (OPT and SOA often), class, TTL, rdlength, rdata. */
const recordSoup: fc.Arbitrary<number[]> = fc
  .tuple(
    nameSoup,
    fc.constantFrom(1, 6, 41, 2, 5, 16, 0xffff),
    fc.uint8Array({ minLength: 6, maxLength: 6 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.integer({ min: -3, max: 3 }),
  )
  .map(([name, type, mid, rdata, lie]) => [
    ...name,
    ...u16(type),
    ...mid,
    ...u16(Math.max(0, rdata.length + lie)),
    ...rdata,
  ]);

/** Messages assembled from soups: header, maybe a question, a few records, maybe junk. */
export const messageSoup: fc.Arbitrary<Buffer> = fc
  .tuple(
    headerSoup,
    fc.array(
      nameSoup.map((n) => [...n, 0, 1, 0, 1]),
      { maxLength: 2 },
    ),
    fc.array(recordSoup, { maxLength: 5 }),
    fc.uint8Array({ maxLength: 4 }),
  )
  .map(([h, qs, rs, junk]) => Buffer.from([...h, ...qs.flat(), ...rs.flat(), ...junk]));

/** Arbitrary bytes, short and long. */
export const byteSoup: fc.Arbitrary<Buffer> = fc
  .uint8Array({ maxLength: 700 })
  .map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** One mutation of a real packet: flips, cuts, inserts, overwritten counts or pointers. */
export function mutate(base: readonly Buffer[]): fc.Arbitrary<Buffer> {
  return fc
    .tuple(
      fc.integer({ min: 0, max: base.length - 1 }),
      fc.array(
        fc.tuple(
          fc.constantFrom('flip', 'set', 'cut', 'insert', 'count', 'pointer'),
          fc.nat(),
          fc.integer({ min: 0, max: 255 }),
        ),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([index, ops]) => {
      let b = Buffer.from(base[index] ?? Buffer.alloc(12));
      for (const [op, at, value] of ops) {
        const pos = b.length === 0 ? 0 : at % b.length;
        if (op === 'flip' && b.length > 0) b[pos] = (b[pos] as number) ^ (1 << (value % 8));
        else if (op === 'set' && b.length > 0) b[pos] = value;
        else if (op === 'cut') b = b.subarray(0, pos);
        else if (op === 'insert')
          b = Buffer.concat([b.subarray(0, pos), Buffer.from([value]), b.subarray(pos)]);
        else if (op === 'count' && b.length >= 12) b.writeUInt16BE(value % 5, 4 + 2 * (at % 4));
        else if (op === 'pointer' && b.length >= 2) {
          const p = Math.min(pos, b.length - 2);
          b[p] = 0xc0;
          b[p + 1] = value;
        }
      }
      return Buffer.from(b);
    });
}
