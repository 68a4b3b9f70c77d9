import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScanVerdict, scanQuery } from '../../../src/dns/query.ts';
import { ednsOption, header, labels, opt, question, record, simpleQuery, u16 } from './wire-kit.ts';

const NAME = labels('www', 'Example', 'org');
const q1 = question(NAME);
const soa = record(Buffer.from([0xc0, 12]), 6, 0, Buffer.alloc(22));

interface Row {
  name: string;
  wire: Buffer;
  verdict: ScanVerdict;
}

const opcode = (n: number): number => 0x0100 | (n << 11);

const rows: Row[] = [
  // positive
  { name: 'plain query', wire: simpleQuery(NAME), verdict: ScanVerdict.OK },
  { name: 'query with OPT', wire: simpleQuery(NAME, { opt: {} }), verdict: ScanVerdict.OK },
  { name: 'NOTIFY opcode', wire: simpleQuery(NAME, { flags: opcode(4) }), verdict: ScanVerdict.OK },
  {
    name: 'NOTIFY with one SOA in the answer section (RFC 1996)',
    wire: Buffer.concat([header({ flags: opcode(4), an: 1 }), q1, soa]),
    verdict: ScanVerdict.OK,
  },
  {
    name: 'one NS record and OPT + one more additional',
    wire: Buffer.concat([
      header({ ns: 1, ar: 2 }),
      q1,
      soa,
      record(Buffer.from([0]), 1, 0, Buffer.alloc(4)),
      opt(),
    ]),
    verdict: ScanVerdict.OK,
  },
  {
    name: 'OPT with well-formed options',
    wire: simpleQuery(NAME, {
      opt: {
        rdata: Buffer.concat([ednsOption(10, Buffer.alloc(8)), ednsOption(12, Buffer.alloc(0))]),
      },
    }),
    verdict: ScanVerdict.OK,
  },
  { name: 'root question', wire: simpleQuery(Buffer.from([0])), verdict: ScanVerdict.OK },
  // negative
  { name: 'empty packet', wire: Buffer.alloc(0), verdict: ScanVerdict.DROP },
  { name: '11-byte header', wire: header().subarray(0, 11), verdict: ScanVerdict.DROP },
  { name: 'QR=1', wire: simpleQuery(NAME, { flags: 0x8100 }), verdict: ScanVerdict.DROP },
  {
    name: 'QR=1 and opcode 5',
    wire: simpleQuery(NAME, { flags: 0x8000 | opcode(5) }),
    verdict: ScanVerdict.DROP,
  },
  {
    name: 'opcode 1 (IQUERY)',
    wire: simpleQuery(NAME, { flags: opcode(1) }),
    verdict: ScanVerdict.NOTIMP,
  },
  {
    name: 'opcode 2 (STATUS)',
    wire: simpleQuery(NAME, { flags: opcode(2) }),
    verdict: ScanVerdict.NOTIMP,
  },
  {
    name: 'opcode 5 (UPDATE)',
    wire: simpleQuery(NAME, { flags: opcode(5) }),
    verdict: ScanVerdict.NOTIMP,
  },
  {
    name: 'opcode 15',
    wire: simpleQuery(NAME, { flags: opcode(15) }),
    verdict: ScanVerdict.NOTIMP,
  },
  {
    name: 'opcode 5 with QDCOUNT 0',
    wire: Buffer.concat([header({ flags: opcode(5), qd: 0 })]),
    verdict: ScanVerdict.NOTIMP,
  },
  { name: 'QDCOUNT 0', wire: header({ qd: 0 }), verdict: ScanVerdict.FORMERR },
  {
    name: 'QDCOUNT 2',
    wire: Buffer.concat([header({ qd: 2 }), q1, q1]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'ANCOUNT 2',
    wire: Buffer.concat([header({ an: 2 }), q1, soa, soa]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'NSCOUNT 2',
    wire: Buffer.concat([header({ ns: 2 }), q1, soa, soa]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'ARCOUNT 3',
    wire: Buffer.concat([header({ ar: 3 }), q1, opt(), soa, soa]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'compressed question name',
    wire: Buffer.concat([header(), Buffer.from([1, 0x61, 0xc0, 12]), u16(1), u16(1)]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'question name cut short',
    wire: Buffer.concat([header(), Buffer.from([3, 0x77, 0x77])]),
    verdict: ScanVerdict.FORMERR,
  },
  { name: 'header only, QDCOUNT 1', wire: header(), verdict: ScanVerdict.FORMERR },
  {
    name: 'qtype/qclass cut short',
    wire: Buffer.concat([header(), NAME, u16(1)]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'trailing byte',
    wire: Buffer.concat([simpleQuery(NAME), Buffer.from([0])]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'ARCOUNT 1 without a record',
    wire: Buffer.concat([header({ ar: 1 }), q1]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'two OPTs',
    wire: Buffer.concat([header({ ar: 2 }), q1, opt(), opt()]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'OPT in the answer section',
    wire: Buffer.concat([header({ an: 1 }), q1, opt()]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'OPT in the authority section',
    wire: Buffer.concat([header({ ns: 1 }), q1, opt()]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'OPT owned by a name',
    wire: Buffer.concat([header({ ar: 1 }), q1, opt({ owner: labels('x') })]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'OPT owned by a pointer to the root',
    wire: Buffer.concat([
      header({ ar: 1 }),
      Buffer.from([0]),
      u16(1),
      u16(1),
      opt({ owner: Buffer.from([0xc0, 12]) }),
    ]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'OPT option longer than the rdata',
    wire: simpleQuery(NAME, { opt: { rdata: Buffer.concat([u16(10), u16(9), Buffer.alloc(8)]) } }),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'OPT option header cut short',
    wire: simpleQuery(NAME, {
      opt: { rdata: Buffer.concat([ednsOption(10, Buffer.alloc(2)), Buffer.from([0, 1])]) },
    }),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'OPT rdlength past the end',
    wire: Buffer.concat([simpleQuery(NAME, { opt: {} }).subarray(0, -2), u16(4)]),
    verdict: ScanVerdict.FORMERR,
  },
  {
    name: 'EDNS version 1',
    wire: simpleQuery(NAME, { opt: { version: 1 } }),
    verdict: ScanVerdict.BADVERS,
  },
  {
    name: 'EDNS version 255',
    wire: simpleQuery(NAME, { opt: { version: 255 } }),
    verdict: ScanVerdict.BADVERS,
  },
  {
    name: 'EDNS version 1 with broken options is FORMERR first',
    wire: simpleQuery(NAME, { opt: { version: 1, rdata: Buffer.from([0, 1, 0]) } }),
    verdict: ScanVerdict.FORMERR,
  },
];

describe('scanQuery verdicts', () => {
  for (const row of rows) {
    it(row.name, () => {
      const q = scanQuery(row.wire);
      assert.equal(q.verdict, row.verdict, q.reason);
      assert.equal(q.reason === '', row.verdict === ScanVerdict.OK);
      if (row.verdict !== ScanVerdict.OK) assert.equal(q.key, '');
    });
  }
});

describe('scanQuery fields', () => {
  it('reads ID, flags, question offsets and the OPT', () => {
    const wire = simpleQuery(NAME, {
      id: 0xbeef,
      flags: 0x0110,
      qtype: 28,
      opt: { udpSize: 4096, dnssecOk: true },
    });
    const q = scanQuery(wire);
    assert.equal(q.verdict, ScanVerdict.OK);
    assert.deepEqual(
      [q.id, q.flags, q.opcode, q.qtype, q.qclass, q.qnameEnd, q.questionEnd, q.qnameLength],
      [0xbeef, 0x0110, 0, 28, 1, 12 + NAME.length, 16 + NAME.length, NAME.length],
    );
    assert.equal(q.recursionDesired, true);
    assert.equal(q.checkingDisabled, true);
    assert.deepEqual([q.hasEdns, q.ednsVersion, q.ednsUdpSize, q.dnssecOk], [true, 0, 4096, true]);
    assert.deepEqual([q.optStart, q.optEnd], [q.questionEnd, wire.length]);
    assert.equal(q.udpLimit, 4096);
  });

  it('raises small EDNS sizes to 512 and uses 512 without EDNS', () => {
    assert.equal(scanQuery(simpleQuery(NAME, { opt: { udpSize: 100 } })).udpLimit, 512);
    assert.equal(scanQuery(simpleQuery(NAME, { opt: { udpSize: 0 } })).udpLimit, 512);
    assert.equal(scanQuery(simpleQuery(NAME)).udpLimit, 512);
    assert.equal(scanQuery(simpleQuery(NAME, { opt: { udpSize: 65535 } })).udpLimit, 65535);
  });

  it('keeps the question offsets of a BADVERS query and the ID of a NOTIMP one', () => {
    const bad = scanQuery(simpleQuery(NAME, { opt: { version: 1 }, id: 7 }));
    assert.equal(bad.questionEnd, 16 + NAME.length);
    assert.equal(bad.ednsVersion, 1);
    const notimp = scanQuery(simpleQuery(NAME, { flags: opcode(5), id: 9 }));
    assert.deepEqual([notimp.id, notimp.opcode, notimp.questionEnd], [9, 5, 0]);
  });
});

describe('the cache key', () => {
  const key = (name: Buffer, opts: Parameters<typeof simpleQuery>[1] = {}): string =>
    scanQuery(simpleQuery(name, opts)).key;

  it('folds A-Z and nothing else', () => {
    assert.equal(key(labels('WWW', 'Example')), key(labels('www', 'example')));
    // 0xC0 and 0xE0 differ by the 0x20 bit like 'A' and 'a', but they are not letters.
    assert.notEqual(key(labels([0xc0])), key(labels([0xe0])));
    assert.notEqual(key(labels([0x40])), key(labels([0x60]))); // '@' and '`'
    assert.notEqual(key(labels([0x5b])), key(labels([0x7b]))); // '[' and '{'
    for (let b = 0; b < 256; b++) {
      const folded = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
      assert.equal(key(labels([b])) === key(labels([folded])), true, `byte ${b}`);
      const isLetter = (x: number): boolean => (x | 0x20) >= 0x61 && (x | 0x20) <= 0x7a;
      if (!isLetter(b)) assert.notEqual(key(labels([b])), key(labels([b ^ 0x20])), `byte ${b}`);
    }
  });

  it('separates qtype, qclass, DO and CD', () => {
    const base = key(NAME);
    const variants = [
      key(NAME, { qtype: 28 }),
      scanQuery(Buffer.concat([header(), question(NAME, 1, 3)])).key,
      key(NAME, { opt: { dnssecOk: true } }),
      key(NAME, { flags: 0x0110 }),
      key(NAME, { flags: 0x0110, opt: { dnssecOk: true } }),
    ];
    assert.equal(new Set([base, ...variants]).size, variants.length + 1);
    // RD, ID and the advertised size are not part of the key.
    assert.equal(key(NAME, { flags: 0, id: 1, opt: { udpSize: 4096 } }), base);
  });

  it('encodes lower-cased wire name, type, class and a DO/CD suffix as latin1', () => {
    assert.deepEqual([...Buffer.from(key(labels('a')), 'latin1')], [1, 0x61, 0, 0, 1, 0, 1]);
    const k = key(labels('A'), { qtype: 0x1234, opt: { dnssecOk: true }, flags: 0x0110 });
    assert.deepEqual([...Buffer.from(k, 'latin1')], [1, 0x61, 0, 0x12, 0x34, 0, 1, 3]);
  });

  it('handles a 255-byte question name', () => {
    const label = Buffer.alloc(63, 0x41);
    const long = Buffer.concat([
      ...[0, 1, 2].map(() => Buffer.concat([Buffer.from([63]), label])),
      Buffer.from([61]),
      Buffer.alloc(61, 0x42),
      Buffer.from([0]),
    ]);
    assert.equal(long.length, 255);
    const k = key(long);
    assert.equal(k.length, 259); // no DO/CD: no flag suffix
    assert.equal(k.slice(1, 4), 'aaa');
    const withDo = key(long, { opt: { dnssecOk: true } });
    assert.equal(withDo.length, 260);
    assert.equal(withDo.slice(0, 259), k);
  });
});
