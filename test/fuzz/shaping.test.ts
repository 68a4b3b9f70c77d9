// Truncation and framing, by property: walkMessage(fitToLimit(m, n)) succeeds for valid m and
// n >= 512, the result fits, keeps a prefix of the records with the same names and data, keeps
// the OPT, and sets TC exactly when a record was dropped. FrameReader gives the same messages
// whatever the chunking.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameReader, frame } from '../../src/dns/framing.ts';
import { walkMessage } from '../../src/dns/message.ts';
import { readName } from '../../src/dns/name.ts';
import { fitToLimit } from '../../src/dns/truncate.ts';
import { timeBudget } from './budget.ts';

interface RecordSpec {
  section: 0 | 1 | 2;
  /** 'q': pointer to the question; 'prev': pointer to an earlier plain owner; else plain. */
  owner: 'q' | 'prev' | 'plain';
  label: string;
  type: number;
  size: number;
}

const recordSpec: fc.Arbitrary<RecordSpec> = fc.record({
  section: fc.constantFrom(0, 1, 2),
  owner: fc.constantFrom('q', 'prev', 'plain'),
  label: fc.string({ unit: fc.constantFrom('a', 'b', 'X'), minLength: 1, maxLength: 20 }),
  type: fc.constantFrom(1, 28, 16, 2, 6),
  size: fc.integer({ min: 1, max: 300 }),
});

const u16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);

/** Builds a valid response; returns the bytes. Owners and rdata names use backward pointers. */
function build(specs: RecordSpec[], optAt: number | undefined, optSize: number): Buffer {
  const sorted = [...specs].sort((x, y) => x.section - y.section);
  const chunks: Buffer[] = [];
  let length = 12;
  const push = (b: Buffer): void => {
    chunks.push(b);
    length += b.length;
  };
  push(Buffer.from([3, 0x77, 0x77, 0x77, 4, 0x74, 0x65, 0x73, 0x74, 0, 0, 1, 0, 1]));
  const owners: number[] = [];
  const counts = [0, 0, 0];
  const opt = Buffer.concat([
    Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0x80, 0]),
    u16(optSize + 4),
    u16(12),
    u16(optSize),
    Buffer.alloc(optSize),
  ]);
  let optDone = optAt === undefined;
  const additional = sorted.filter((s) => s.section === 2).length;
  let seenAdditional = 0;
  for (const s of sorted) {
    if (s.section === 2 && !optDone && seenAdditional === Math.min(optAt ?? 0, additional)) {
      push(opt);
      optDone = true;
    }
    if (s.section === 2) seenAdditional++;
    const prev = owners[owners.length - 1];
    let owner: Buffer;
    if (s.owner === 'q' || (s.owner === 'prev' && prev === undefined))
      owner = Buffer.from([0xc0, 12]);
    else if (s.owner === 'prev' && prev !== undefined)
      owner = Buffer.from([0xc0 | (prev >> 8), prev & 0xff]);
    else {
      owners.push(length);
      owner = Buffer.concat([
        Buffer.from([s.label.length]),
        Buffer.from(s.label),
        Buffer.from([0xc0, 12]),
      ]);
    }
    const pointer = Buffer.from([0xc0, 12]);
    const rdata =
      s.type === 1
        ? Buffer.alloc(4, s.size)
        : s.type === 28
          ? Buffer.alloc(16, s.size)
          : s.type === 2
            ? Buffer.concat([Buffer.from([2, 0x6e, 0x73]), pointer])
            : s.type === 6
              ? Buffer.concat([pointer, pointer, Buffer.alloc(20, 1)])
              : Buffer.alloc(s.size, 0x41);
    push(
      Buffer.concat([
        owner,
        u16(s.type),
        u16(1),
        Buffer.from([0, 0, 1, s.size & 0xff]),
        u16(rdata.length),
        rdata,
      ]),
    );
    counts[s.section] = (counts[s.section] as number) + 1;
  }
  if (!optDone) push(opt);
  const header = Buffer.concat([
    u16(0xbeef),
    u16(0x8180),
    u16(1),
    ...counts.map((c, i) => u16(c + (i === 2 && optAt !== undefined ? 1 : 0))),
  ]);
  return Buffer.concat([header, ...chunks]);
}

/** Non-OPT records as comparable strings: section, owner, type, rdata (names decoded). */
function describeRecords(wire: Buffer): string[] {
  const m = walkMessage(wire);
  return m.records
    .filter((r) => r !== m.opt)
    .map((r) => {
      const rdataAt = r.ttlOffset + 6;
      const data =
        r.type === 2 || r.type === 6
          ? readName(wire, rdataAt)
          : wire.subarray(rdataAt, r.end).toString('hex');
      return `${r.section} ${readName(wire, r.start)} ${r.type} ${data}`;
    });
}

describe('shaping fuzz', () => {
  it('fitToLimit keeps a valid, fitting prefix with the OPT, TC only when dropping', () => {
    const arb = fc.tuple(
      fc.array(recordSpec, { maxLength: 30 }),
      fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
      fc.integer({ min: 0, max: 40 }),
      fc.integer({ min: 512, max: 4096 }),
    );
    fc.assert(
      fc.property(arb, ([specs, optAt, optSize, limit]) => {
        const wire = build(specs, optAt, optSize);
        const before = describeRecords(wire);
        const out = fitToLimit(wire, limit);
        const after = describeRecords(out); // walks, and every name still reads
        assert.ok(out.length <= limit, `${out.length} > ${limit}`);
        assert.deepEqual(after, before.slice(0, after.length));
        const dropped = after.length < before.length;
        assert.equal((out.readUInt16BE(2) & 0x0200) !== 0, dropped);
        assert.equal(dropped, wire.length > limit);
        assert.equal(walkMessage(out).opt !== undefined, optAt !== undefined);
        assert.equal(out.readUInt16BE(0), 0xbeef);
      }),
      timeBudget(6_000),
    );
  });

  it('FrameReader returns the same messages for any chunking', () => {
    const arb = fc.tuple(
      fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 30 }),
    );
    fc.assert(
      fc.property(arb, ([messages, cutSeeds]) => {
        const stream = Buffer.concat(messages.map((m) => frame(m)));
        const cuts = [
          ...new Set(cutSeeds.map((c) => (stream.length === 0 ? 0 : c % stream.length))),
        ].sort((a, b) => a - b);
        const reader = new FrameReader();
        const got: Buffer[] = [];
        let pos = 0;
        for (const cut of [...cuts, stream.length]) {
          for (const f of reader.push(stream.subarray(pos, cut))) got.push(Buffer.from(f));
          pos = cut;
        }
        assert.deepEqual(
          got,
          messages.map((m) => Buffer.from(m)),
        );
        assert.equal(reader.hasPartial, false);
      }),
      timeBudget(4_000),
    );
  });
});
