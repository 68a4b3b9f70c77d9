import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ADVERTISED_UDP_SIZE,
  buildErrorReply,
  buildFormErr,
  buildQuery,
  OPT_RECORD_LENGTH,
  writeOpt,
} from '../../../src/dns/build.ts';
import { Flag, Rcode } from '../../../src/dns/constants.ts';
import { walkMessage } from '../../../src/dns/message.ts';
import { nameToWire } from '../../../src/dns/name.ts';
import { ScanVerdict, scanQuery } from '../../../src/dns/query.ts';
import { header, labels, question, simpleQuery } from './wire-kit.ts';

const NAME = labels('Www', 'example');

interface Shape {
  id: number;
  flags: number;
  counts: [number, number, number, number];
  question: string | undefined;
  opt: { udp: number; extRcode: number; version: number; do: boolean } | undefined;
}

function shape(reply: Buffer): Shape {
  const m = walkMessage(reply); // every error reply must be a well-formed message
  const o = m.opt;
  return {
    id: m.id,
    flags: m.flags,
    counts: [
      reply.readUInt16BE(4),
      reply.readUInt16BE(6),
      reply.readUInt16BE(8),
      reply.readUInt16BE(10),
    ],
    question: m.qdcount === 0 ? undefined : reply.subarray(12, m.questionEnd).toString('hex'),
    opt:
      o === undefined
        ? undefined
        : {
            udp: reply.readUInt16BE(o.start + 3),
            extRcode: reply[o.ttlOffset] as number,
            version: reply[o.ttlOffset + 1] as number,
            do: (reply.readUInt16BE(o.ttlOffset + 2) & 0x8000) !== 0,
          },
  };
}

const QR_RA = Flag.QR | Flag.RA;
const qHex = question(NAME).toString('hex');

describe('buildErrorReply', () => {
  it('FORMERR for bad counts is header only, with ID, opcode, RD and CD copied', () => {
    const wire = Buffer.concat([
      header({ id: 0x1234, qd: 2, flags: Flag.RD | Flag.CD | Flag.AD | Flag.AA }),
      question(NAME),
      question(NAME),
    ]);
    const q = scanQuery(wire);
    assert.equal(q.verdict, ScanVerdict.FORMERR);
    assert.deepEqual(shape(buildFormErr(q)), {
      id: 0x1234,
      flags: QR_RA | Flag.RD | Flag.CD | Rcode.FORMERR,
      counts: [0, 0, 0, 0],
      question: undefined,
      opt: undefined,
    });
  });

  it('FORMERR keeps the opcode (NOTIFY) and drops RD when the query had none', () => {
    const wire = Buffer.concat([header({ qd: 0, flags: 4 << 11 })]);
    const reply = buildErrorReply(scanQuery(wire), Rcode.FORMERR);
    assert.equal(shape(reply).flags, QR_RA | (4 << 11) | Rcode.FORMERR);
  });

  it('FORMERR is header only when the question itself did not scan', () => {
    for (const wire of [
      Buffer.concat([header(), Buffer.from([3, 0x61])]),
      Buffer.concat([header(), NAME, Buffer.from([0, 1])]),
      Buffer.concat([header(), Buffer.from([1, 0x61, 0xc0, 12, 0, 1, 0, 1])]),
      header(),
    ]) {
      const q = scanQuery(wire);
      assert.equal(q.verdict, ScanVerdict.FORMERR);
      const s = shape(buildFormErr(q));
      assert.deepEqual([s.counts, s.question], [[0, 0, 0, 0], undefined], wire.toString('hex'));
    }
  });

  it('FORMERR carries the question when it scanned and a later part did not', () => {
    const wire = Buffer.concat([simpleQuery(NAME), Buffer.from([0xff])]);
    const s = shape(buildFormErr(scanQuery(wire)));
    assert.deepEqual([s.counts, s.question], [[1, 0, 0, 0], qHex]);
  });

  it('NOTIMP is header only with the opcode kept', () => {
    const q = scanQuery(simpleQuery(NAME, { id: 9, flags: Flag.RD | (5 << 11), opt: {} }));
    assert.equal(q.verdict, ScanVerdict.NOTIMP);
    assert.deepEqual(shape(buildErrorReply(q, Rcode.NOTIMP)), {
      id: 9,
      flags: QR_RA | Flag.RD | (5 << 11) | Rcode.NOTIMP,
      counts: [0, 0, 0, 0],
      question: undefined,
      opt: undefined,
    });
  });

  it('BADVERS has the question and an OPT with extended rcode 1 and header rcode 0', () => {
    const q = scanQuery(
      simpleQuery(NAME, {
        id: 77,
        flags: Flag.RD | Flag.CD,
        opt: { version: 3, dnssecOk: true, udpSize: 4096 },
      }),
    );
    assert.equal(q.verdict, ScanVerdict.BADVERS);
    const reply = buildErrorReply(q, Rcode.BADVERS);
    assert.deepEqual(shape(reply), {
      id: 77,
      flags: QR_RA | Flag.RD | Flag.CD,
      counts: [1, 0, 0, 1],
      question: qHex,
      opt: { udp: ADVERTISED_UDP_SIZE, extRcode: 1, version: 0, do: true },
    });
    assert.equal(walkMessage(reply).extendedRcode, Rcode.BADVERS);
  });

  it('REFUSED/SERVFAIL to an EDNS query echo the question and an OPT with DO', () => {
    const q = scanQuery(simpleQuery(NAME, { opt: { dnssecOk: true } }));
    for (const rcode of [Rcode.REFUSED, Rcode.SERVFAIL, Rcode.NOERROR]) {
      const s = shape(buildErrorReply(q, rcode));
      assert.deepEqual(
        [s.flags & 0xf, s.counts, s.question, s.opt?.do, s.opt?.extRcode],
        [rcode, [1, 0, 0, 1], qHex, true, 0],
      );
    }
    const plain = shape(buildErrorReply(scanQuery(simpleQuery(NAME)), Rcode.SERVFAIL));
    assert.deepEqual([plain.counts, plain.opt], [[1, 0, 0, 0], undefined]);
  });

  it('a reply to a short or response packet is still a 12-byte header', () => {
    const q = scanQuery(Buffer.from([1, 2, 3]));
    assert.equal(q.verdict, ScanVerdict.DROP);
    const reply = buildErrorReply(q, Rcode.FORMERR);
    assert.equal(reply.length, 12);
    assert.equal(shape(reply).id, 0);
  });
});

describe('writeOpt and buildQuery', () => {
  it('writes an 11-byte OPT with the upper rcode bits, version 0 and DO', () => {
    const buf = Buffer.alloc(OPT_RECORD_LENGTH + 2, 0xee);
    assert.equal(writeOpt(buf, 1, 0x123, true), 12);
    const size = ADVERTISED_UDP_SIZE.toString(16).padStart(4, '0');
    assert.equal(buf.toString('hex'), `ee000029${size}120080000000ee`);
  });

  it('builds queries that scan OK and carry the requested options', () => {
    const plain = scanQuery(buildQuery(0xabcd, nameToWire('a.example.'), 28));
    assert.equal(plain.verdict, ScanVerdict.OK);
    assert.deepEqual(
      [plain.id, plain.qtype, plain.qclass, plain.recursionDesired, plain.hasEdns],
      [0xabcd, 28, 1, true, false],
    );
    const edns = scanQuery(
      buildQuery(1, nameToWire('.'), 2, {
        recursionDesired: false,
        edns: true,
        dnssecOk: true,
        qclass: 3,
      }),
    );
    assert.equal(edns.verdict, ScanVerdict.OK);
    assert.deepEqual(
      [edns.qclass, edns.recursionDesired, edns.hasEdns, edns.dnssecOk, edns.ednsUdpSize],
      [3, false, true, true, ADVERTISED_UDP_SIZE],
    );
  });
});
