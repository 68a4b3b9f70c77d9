// scanQuery never throws and walkMessage throws only WireFormatError, on arbitrary bytes, on
// soups of headers, labels and pointers, and on mutated real packets; neither loops. Where
// walkMessage succeeds it must agree with the independent oracle; every scan verdict must lead
// to an error reply that walks cleanly.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { buildErrorReply } from '../../src/dns/build.ts';
import { Rcode } from '../../src/dns/constants.ts';
import { WireFormatError } from '../../src/dns/errors.ts';
import { walkMessage } from '../../src/dns/message.ts';
import { ScanVerdict, scanQuery } from '../../src/dns/query.ts';
import { oracleWalk } from '../unit/dns/oracle.ts';
import { byteSoup, messageSoup, mutate } from './arbitraries.ts';
import { timeBudget, timed } from './budget.ts';
import { readCorpusArchive } from './corpus-archive.ts';

const REPLY_RCODE: Record<number, number> = {
  [ScanVerdict.OK]: Rcode.SERVFAIL,
  [ScanVerdict.DROP]: Rcode.FORMERR,
  [ScanVerdict.FORMERR]: Rcode.FORMERR,
  [ScanVerdict.NOTIMP]: Rcode.NOTIMP,
  [ScanVerdict.BADVERS]: Rcode.BADVERS,
};

function checkScan(wire: Buffer): void {
  const q = timed('scanQuery', () => scanQuery(wire));
  assert.ok(Object.values(ScanVerdict).includes(q.verdict));
  if (q.verdict === ScanVerdict.OK) {
    assert.ok(q.key.length >= 5 && q.questionEnd <= wire.length && q.qnameEnd > 12);
  }
  const reply = buildErrorReply(q, REPLY_RCODE[q.verdict] ?? Rcode.SERVFAIL);
  const layout = walkMessage(reply);
  assert.equal(layout.id, wire.length >= 12 ? wire.readUInt16BE(0) : 0);
}

function checkWalk(wire: Buffer): void {
  const want = oracleWalk(wire);
  let got: ReturnType<typeof walkMessage> | undefined;
  try {
    got = timed('walkMessage', () => walkMessage(wire));
  } catch (err) {
    if (!(err instanceof WireFormatError)) throw err;
    assert.equal(typeof want, 'string', `walkMessage threw ${err.message}, the oracle accepted`);
    return;
  }
  assert.notEqual(typeof want, 'string', `oracle rejected (${String(want)}), walkMessage accepted`);
  if (typeof want === 'string') return;
  assert.equal(got.questionEnd, want.questionEnd);
  assert.deepEqual(
    got.records.map((r) => [r.start, r.end, r.section, r.ttlOffset]),
    want.records.map((r) => [r.start, r.end, r.section, r.ttlOffset]),
  );
  assert.equal(got.minTtl, want.minTtl);
  assert.equal(got.soa?.minimum, want.soaMinimum);
}

describe('wire fuzz', () => {
  let corpus: Buffer[] = [];
  before(async () => {
    corpus = (await readCorpusArchive()).map((p) => p.wire);
  });

  it('scanQuery and walkMessage on arbitrary bytes', () => {
    fc.assert(
      fc.property(byteSoup, (wire) => {
        checkScan(wire);
        checkWalk(wire);
      }),
      timeBudget(5_000),
    );
  });

  it('scanQuery and walkMessage on header/label/pointer soups', () => {
    fc.assert(
      fc.property(messageSoup, (wire) => {
        checkScan(wire);
        checkWalk(wire);
        // As a query, with QR cleared, to reach past the DROP verdict.
        if (wire.length >= 4) {
          const q = Buffer.from(wire);
          q[2] = (q[2] as number) & 0x07;
          checkScan(q);
        }
      }),
      timeBudget(7_000),
    );
  });

  it('scanQuery and walkMessage on mutated real packets', () => {
    assert.ok(corpus.length > 9000);
    fc.assert(
      fc.property(mutate(corpus), (wire) => {
        checkScan(wire);
        checkWalk(wire);
      }),
      timeBudget(6_000),
    );
  });
});
