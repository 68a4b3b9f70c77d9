import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { WireFormatError } from '../../../src/dns/errors.ts';
import { Section, sameQuestion, walkMessage } from '../../../src/dns/message.ts';
import { readName } from '../../../src/dns/name.ts';
import { type CorpusPacket, readCorpusArchive } from '../../fuzz/corpus-archive.ts';
import { oracleWalk } from './oracle.ts';
import { header, labels, opt, question, record, u32 } from './wire-kit.ts';

const QNAME = labels('nx', 'example', 'org');
const PTR_Q = Buffer.from([0xc0, 12]);
const PTR_ZONE = Buffer.from([0xc0, 15]); // "example.org." inside the question name

function soaRdata(mname: Buffer, rname: Buffer, minimum: number): Buffer {
  return Buffer.concat([mname, rname, u32(2024), u32(7200), u32(900), u32(86400), u32(minimum)]);
}

function response(parts: { an?: Buffer[]; ns?: Buffer[]; ar?: Buffer[]; rcode?: number }): Buffer {
  const an = parts.an ?? [];
  const ns = parts.ns ?? [];
  const ar = parts.ar ?? [];
  return Buffer.concat([
    header({ flags: 0x8180 | (parts.rcode ?? 0), an: an.length, ns: ns.length, ar: ar.length }),
    question(QNAME),
    ...an,
    ...ns,
    ...ar,
  ]);
}

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof WireFormatError && err.code === code);
}

describe('walkMessage on hand-built answers', () => {
  it('reads an NXDOMAIN whose SOA names are compressed, MINIMUM included', () => {
    const soa = record(
      PTR_ZONE,
      6,
      3600,
      soaRdata(Buffer.concat([Buffer.from([3, 0x6e, 0x73, 0x31]), PTR_ZONE]), PTR_ZONE, 60),
    );
    const wire = response({ ns: [soa], ar: [opt({ dnssecOk: true })], rcode: 3 });
    const m = walkMessage(wire);
    assert.deepEqual(m.soa, { ttl: 3600, minimum: 60 });
    assert.equal(m.minTtl, 3600); // the OPT's "TTL" (flags 0x8000) does not count
    assert.equal(m.rcode, 3);
    assert.equal(m.extendedRcode, 3);
    assert.equal(m.records.length, 2);
    assert.equal(m.opt, m.records[1]);
    assert.equal(m.opt?.section, Section.ADDITIONAL);
    assert.equal(readName(wire, m.questionEnd), 'example.org.');
  });

  it('points every TTL offset at the TTL field, so patching it changes that record only', () => {
    const a = record(PTR_Q, 1, 300, Buffer.from([192, 0, 2, 1]));
    const ns = record(PTR_ZONE, 2, 7200, Buffer.concat([Buffer.from([1, 0x61]), PTR_ZONE]));
    const glue = record(labels('a', 'example', 'org'), 1, 0x80000001, Buffer.from([192, 0, 2, 2]));
    const wire = response({ an: [a], ns: [ns], ar: [glue, opt({ extRcode: 1 })] });
    const m = walkMessage(wire);
    assert.deepEqual(
      m.records.map((r) => [r.section, r.type, wire.readUInt32BE(r.ttlOffset)]),
      [
        [Section.ANSWER, 1, 300],
        [Section.AUTHORITY, 2, 7200],
        [Section.ADDITIONAL, 1, 0x80000001],
        [Section.ADDITIONAL, 41, 0x01000000],
      ],
    );
    assert.equal(m.minTtl, 0); // RFC 2181: a TTL with the top bit set counts as 0
    assert.equal(m.hasAuthorityNs, true);
    assert.equal(m.extendedRcode, 16);
    assert.equal(m.soa, undefined);
    for (const r of m.records) {
      const copy = Buffer.from(wire);
      copy.writeUInt32BE(12345, r.ttlOffset);
      const again = walkMessage(copy);
      const changed = again.records.filter((x) => copy.readUInt32BE(x.ttlOffset) === 12345);
      assert.deepEqual(changed, [r]);
    }
  });

  it('handles no question, an empty answer, and the minimum over several records', () => {
    const bare = Buffer.concat([header({ qd: 0, flags: 0x8182 })]);
    const m = walkMessage(bare);
    assert.deepEqual(
      [m.qdcount, m.qnameEnd, m.questionEnd, m.minTtl, m.records.length],
      [0, 0, 12, undefined, 0],
    );
    const two = response({
      an: [record(PTR_Q, 1, 50, Buffer.alloc(4)), record(PTR_Q, 1, 40, Buffer.alloc(4))],
      ns: [record(PTR_ZONE, 6, 10, soaRdata(PTR_ZONE, PTR_ZONE, 5))],
    });
    const w = walkMessage(two);
    assert.equal(w.minTtl, 10);
    assert.deepEqual(w.soa, { ttl: 10, minimum: 5 });
    assert.deepEqual([w.qtype, w.qclass, w.qnameEnd], [1, 1, 12 + QNAME.length]);
  });

  it('reads only the first authority SOA, and none from the answer section', () => {
    const soaA = record(PTR_ZONE, 6, 100, soaRdata(PTR_ZONE, PTR_ZONE, 1));
    const soaB = record(PTR_ZONE, 6, 200, soaRdata(PTR_ZONE, PTR_ZONE, 2));
    assert.equal(walkMessage(response({ an: [soaA] })).soa, undefined);
    assert.deepEqual(walkMessage(response({ ns: [soaA, soaB] })).soa, { ttl: 100, minimum: 1 });
    const big = record(PTR_ZONE, 6, 100, soaRdata(PTR_ZONE, PTR_ZONE, 0xffffffff));
    assert.deepEqual(walkMessage(response({ ns: [big] })).soa, { ttl: 100, minimum: 0 });
  });

  // negative
  it('rejects misplaced or repeated OPTs, bad SOAs, cut records and trailing bytes', () => {
    throwsCode(() => walkMessage(Buffer.alloc(11)), 'ERR_DNS_TRUNCATED');
    throwsCode(() => walkMessage(response({ an: [opt()] })), 'ERR_DNS_BAD_OPT');
    throwsCode(() => walkMessage(response({ ns: [opt()] })), 'ERR_DNS_BAD_OPT');
    throwsCode(() => walkMessage(response({ ar: [opt(), opt()] })), 'ERR_DNS_BAD_OPT');
    const shortSoa = record(PTR_ZONE, 6, 1, Buffer.concat([PTR_ZONE, PTR_ZONE, u32(1)]));
    throwsCode(() => walkMessage(response({ ns: [shortSoa] })), 'ERR_DNS_TRUNCATED');
    const loopSoa = record(
      PTR_ZONE,
      6,
      1,
      Buffer.concat([Buffer.from([0xc0, 0xff]), Buffer.alloc(21)]),
    );
    throwsCode(() => walkMessage(response({ ns: [loopSoa] })), 'ERR_DNS_BAD_POINTER');
    const good = response({ an: [record(PTR_Q, 1, 1, Buffer.alloc(4))] });
    throwsCode(() => walkMessage(good.subarray(0, good.length - 1)), 'ERR_DNS_TRUNCATED');
    throwsCode(() => walkMessage(good.subarray(0, good.length - 8)), 'ERR_DNS_TRUNCATED');
    throwsCode(() => walkMessage(Buffer.concat([good, Buffer.from([0])])), 'ERR_DNS_TRAILING_DATA');
    const lying = Buffer.from(good);
    lying.writeUInt16BE(2, 6);
    throwsCode(() => walkMessage(lying), 'ERR_DNS_TRUNCATED');
  });

  it('works on a subarray of a larger buffer (byteOffset respected)', () => {
    const wire = response({ an: [record(PTR_Q, 1, 77, Buffer.alloc(4))] });
    const big = Buffer.concat([Buffer.alloc(100, 0xee), wire]);
    const m = walkMessage(big.subarray(100));
    assert.equal(m.minTtl, 77);
    assert.equal(m.id, 0x4242);
  });
});

describe('walkMessage on real answers from the CZ.NIC corpus', () => {
  let responses: CorpusPacket[] = [];
  before(async () => {
    const all = await readCorpusArchive();
    responses = all.filter((p) => p.wire.length >= 12 && ((p.wire[2] as number) & 0x80) !== 0);
  });

  it('agrees with the oracle on spans, TTL offsets, min TTL and SOA MINIMUM', () => {
    assert.ok(responses.length > 3000, `only ${responses.length} responses`);
    let withSoa = 0;
    let compressedSoa = 0;
    for (const p of responses) {
      const want = oracleWalk(p.wire);
      if (typeof want === 'string') {
        assert.throws(() => walkMessage(p.wire), WireFormatError, p.name);
        continue;
      }
      const got = walkMessage(p.wire);
      assert.equal(got.questionEnd, want.questionEnd, p.name);
      assert.deepEqual(
        got.records.map((r) => [r.start, r.end, r.type, r.section, r.ttlOffset]),
        want.records.map((r) => [r.start, r.end, r.type, r.section, r.ttlOffset]),
        p.name,
      );
      assert.equal(got.minTtl, want.minTtl, p.name);
      assert.equal(got.soa?.minimum, want.soaMinimum, p.name);
      if (got.soa !== undefined) {
        withSoa++;
        const soa = got.records.find((r) => r.type === 6 && r.section === Section.AUTHORITY);
        if (soa !== undefined && p.wire.subarray(soa.ttlOffset + 6, soa.end).some((b) => b >= 0xc0))
          compressedSoa++;
      }
    }
    assert.ok(withSoa > 100 && compressedSoa > 50, `${withSoa} SOAs, ${compressedSoa} compressed`);
  });
});

describe('sameQuestion', () => {
  const q = (name: Buffer, type = 1): Buffer => Buffer.concat([header(), question(name, type)]);
  const end = (b: Buffer): number => b.length - 4;

  it('compares names ignoring ASCII case, and type and class exactly', () => {
    const a = q(labels('WwW', 'Example'));
    const b = q(labels('www', 'example'));
    assert.equal(sameQuestion(a, end(a), b, end(b)), true);
    const c = q(labels('www', 'example'), 28);
    assert.equal(sameQuestion(a, end(a), c, end(c)), false);
    const d = q(labels([0xc0]));
    const e = q(labels([0xe0]));
    assert.equal(sameQuestion(d, end(d), e, end(e)), false);
    const f = q(labels('www', 'exampla'));
    assert.equal(sameQuestion(a, end(a), f, end(f)), false);
    const g = q(labels('ww', 'example'));
    assert.equal(sameQuestion(a, end(a), g, end(g)), false);
  });

  it('is false when either message is too short for its question', () => {
    const a = q(labels('x'));
    assert.equal(sameQuestion(a, end(a), a.subarray(0, a.length - 1), end(a)), false);
  });
});
