import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flag } from '../../../src/dns/constants.ts';
import { Section, walkMessage } from '../../../src/dns/message.ts';
import { readName } from '../../../src/dns/name.ts';
import { fitToLimit } from '../../../src/dns/truncate.ts';
import { header, labels, opt, question, record } from './wire-kit.ts';

const QNAME = labels('big', 'example', 'org');
const PTR_Q = Buffer.from([0xc0, 12]);

/** A-record answer with owner → question (16 bytes each). */
const a = (i: number, ttl = 60): Buffer =>
  record(PTR_Q, 1, ttl, Buffer.from([10, 0, i >> 8, i & 0xff]));

function message(an: Buffer[], ns: Buffer[] = [], ar: Buffer[] = [], flags = 0x8180): Buffer {
  return Buffer.concat([
    header({ flags, an: an.length, ns: ns.length, ar: ar.length }),
    question(QNAME),
    ...an,
    ...ns,
    ...ar,
  ]);
}

/** Every record of a message as text (owner and the raw rdata), to compare before and after. */
function records(wire: Buffer): string[] {
  const m = walkMessage(wire);
  return m.records.map((r) => {
    const rdata = wire.subarray(r.ttlOffset + 6, r.end);
    const names =
      r.type === 2 || r.type === 5 ? readName(wire, r.ttlOffset + 6) : rdata.toString('hex');
    return `${r.section} ${readName(wire, r.start)} ${r.type} ${names}`;
  });
}

const counts = (w: Buffer): number[] => [6, 8, 10].map((o) => w.readUInt16BE(o));
const tc = (w: Buffer): boolean => (w.readUInt16BE(2) & Flag.TC) !== 0;

describe('fitToLimit', () => {
  it('returns the message itself when it fits, TC untouched', () => {
    const small = message([a(1)]);
    assert.equal(fitToLimit(small, 512), small);
    const tcSet = message([a(1)], [], [], 0x8380);
    assert.equal(fitToLimit(tcSet, 512), tcSet);
  });

  it('keeps whole answers that fit, keeps the OPT last, sets TC and fixes the counts', () => {
    const wire = message(
      Array.from({ length: 40 }, (_, i) => a(i)),
      [],
      [opt({ dnssecOk: true })],
    );
    const out = fitToLimit(wire, 512);
    const questionEnd = 12 + QNAME.length + 4;
    const kept = Math.floor((512 - questionEnd - 11) / 16);
    assert.deepEqual(counts(out), [kept, 0, 1]);
    assert.equal(out.length, questionEnd + kept * 16 + 11);
    assert.ok(out.length <= 512);
    assert.equal(tc(out), true);
    const m = walkMessage(out);
    assert.equal(m.opt, m.records.at(-1));
    assert.equal(
      out.readUInt16BE((m.opt?.ttlOffset ?? 0) + 2),
      0x8000,
      'OPT copied with its DO bit',
    );
    assert.deepEqual(records(out).slice(0, -1), records(wire).slice(0, kept));
    assert.equal(out.readUInt16BE(0), wire.readUInt16BE(0));
  });

  it('fills answer, then authority, then additional, and stops at the first that does not fit', () => {
    const an = [a(1), a(2)];
    const ns = [record(labels('example', 'org'), 2, 60, labels('ns1', 'example', 'org'))];
    const big = record(labels('glue'), 16, 60, Buffer.alloc(400));
    const smallGlue = record(labels('ns1'), 1, 60, Buffer.alloc(4));
    const wire = message(an, ns, [big, smallGlue]);
    const out = fitToLimit(wire, 512);
    // the big TXT does not fit; the small one after it would, but truncation stops there
    assert.deepEqual(counts(out), [2, 1, 0]);
    assert.equal(tc(out), true, 'TC is set when only additional records were dropped');
    assert.deepEqual(records(out), records(wire).slice(0, 3));

    const partialAuthority = fitToLimit(message(an, [ns[0] as Buffer, big]), 512);
    assert.deepEqual(counts(partialAuthority), [2, 1, 0]);
  });

  it('keeps nothing but the question (and OPT) when the first answer is too big', () => {
    const huge = record(PTR_Q, 16, 1, Buffer.alloc(600));
    const out = fitToLimit(message([huge, a(1)], [], [opt()]), 512);
    assert.deepEqual(counts(out), [0, 0, 1]);
    assert.equal(tc(out), true);
    assert.equal(walkMessage(out).questionEnd, 12 + QNAME.length + 4);
  });

  it('keeps every name readable: kept records point only at kept bytes', () => {
    const cname = record(
      PTR_Q,
      5,
      60,
      Buffer.concat([Buffer.from([3, 0x77, 0x77, 0x77]), Buffer.from([0xc0, 16])]),
    );
    const wire = message([cname, ...Array.from({ length: 60 }, (_, i) => a(i))]);
    for (const limit of [512, 600, 1000]) {
      const out = fitToLimit(wire, limit);
      assert.ok(out.length <= limit);
      const got = records(out);
      assert.deepEqual(got, records(wire).slice(0, got.length));
    }
  });

  it('keeps pointers valid when the OPT is not the last additional record', () => {
    // Some servers put the OPT first in the additional section. The glue AAAA's owner points at
    // the glue A's owner, which sits after the OPT; dropping a later record must not move it.
    const glueA = record(labels('ns1', 'example', 'org'), 1, 60, Buffer.from([192, 0, 2, 1]));
    const an = [a(1), a(2)];
    const questionEnd = 12 + QNAME.length + 4;
    const glueOwner = questionEnd + 32 + 11;
    const glueAAAA = record(Buffer.from([0xc0, glueOwner]), 28, 60, Buffer.alloc(16, 1));
    const filler = record(labels('x'), 16, 60, Buffer.alloc(500));
    const wire = message(an, [], [opt(), glueA, glueAAAA, filler]);
    assert.equal(readName(wire, glueOwner), 'ns1.example.org.');
    const out = fitToLimit(wire, 512);
    assert.ok(out.length <= 512);
    assert.deepEqual(counts(out), [2, 0, 3]);
    assert.equal(tc(out), true);
    const want = records(wire).filter((r) => !r.startsWith(`${Section.ADDITIONAL} . 41`));
    const got = records(out).filter((r) => !r.startsWith(`${Section.ADDITIONAL} . 41`));
    assert.deepEqual(got, want.slice(0, 4));
    assert.equal(walkMessage(out).opt !== undefined, true);
  });

  it('sets TC only when something was dropped', () => {
    // Question plus a large OPT (options) over the limit, and no records to drop.
    const bigOpt = opt({
      rdata: Buffer.concat([Buffer.from([0, 12, 0x02, 0x00]), Buffer.alloc(512)]),
    });
    const wire = message([], [], [bigOpt]);
    const out = fitToLimit(wire, 512);
    assert.equal(tc(out), false);
    assert.deepEqual(counts(out), [0, 0, 1]);
    walkMessage(out);
  });

  it('handles a message without a question', () => {
    const wire = Buffer.concat([
      header({ qd: 0, an: 40, flags: 0x8180 }),
      ...Array.from({ length: 40 }, () => record(Buffer.from([0]), 1, 1, Buffer.alloc(4))),
    ]);
    const out = fitToLimit(wire, 512);
    assert.equal(counts(out)[0], Math.floor(500 / 15));
    walkMessage(out);
  });
});
