// Every packet of the CZ.NIC dns-fuzzing corpus (9,774) through scanQuery and walkMessage:
// no throw from the scan, only WireFormatError from the walk, agreement with the oracle, an
// error reply that walks for every verdict, and the in-memory archive reader used by the
// replay test yields exactly what loadFuzzCorpus() unpacks.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildErrorReply } from '../../src/dns/build.ts';
import { Rcode } from '../../src/dns/constants.ts';
import { WireFormatError } from '../../src/dns/errors.ts';
import { walkMessage } from '../../src/dns/message.ts';
import { ScanVerdict, scanQuery } from '../../src/dns/query.ts';
import { loadFuzzCorpus } from '../helpers/fixtures.ts';
import { oracleWalk } from '../unit/dns/oracle.ts';
import { readCorpusArchive } from './corpus-archive.ts';

describe('CZ.NIC corpus', () => {
  let corpus: { name: string; wire: Buffer }[] = [];
  before(async () => {
    corpus = await loadFuzzCorpus();
  });

  it('has every packet, and the in-memory reader agrees with the unpacked files', async () => {
    assert.equal(corpus.length, 9774);
    const inMemory = await readCorpusArchive();
    assert.deepEqual(
      inMemory.map((p) => p.name),
      corpus.map((p) => p.name),
    );
    for (const [i, p] of inMemory.entries())
      assert.ok(p.wire.equals(corpus[i]?.wire ?? Buffer.alloc(0)), p.name);
  });

  it('scanQuery never throws and every verdict has a well-formed reply', () => {
    const verdicts = [0, 0, 0, 0, 0];
    for (const { name, wire } of corpus) {
      const q = scanQuery(wire);
      verdicts[q.verdict] = (verdicts[q.verdict] ?? 0) + 1;
      const rcode =
        q.verdict === ScanVerdict.BADVERS
          ? Rcode.BADVERS
          : q.verdict === ScanVerdict.NOTIMP
            ? Rcode.NOTIMP
            : Rcode.FORMERR;
      const reply = walkMessage(buildErrorReply(q, rcode));
      if (wire.length >= 12) assert.equal(reply.id, wire.readUInt16BE(0), name);
    }
    // Most of the corpus is responses (dropped) and queries (OK); all kinds occur.
    assert.ok(
      verdicts.every((n) => n > 0),
      `verdicts ${verdicts.join('/')}`,
    );
    assert.equal(
      verdicts.reduce((a, b) => a + b, 0),
      9774,
    );
  });

  it('walkMessage throws only WireFormatError and agrees with the oracle', () => {
    let walked = 0;
    for (const { name, wire } of corpus) {
      const want = oracleWalk(wire);
      try {
        const got = walkMessage(wire);
        walked++;
        assert.notEqual(typeof want, 'string', `${name}: oracle rejected (${String(want)})`);
        if (typeof want === 'string') continue;
        assert.deepEqual(
          got.records.map((r) => [r.start, r.end, r.ttlOffset]),
          want.records.map((r) => [r.start, r.end, r.ttlOffset]),
          name,
        );
        assert.equal(got.minTtl, want.minTtl, name);
        assert.equal(got.soa?.minimum, want.soaMinimum, name);
      } catch (err) {
        if (!(err instanceof WireFormatError)) throw err;
        assert.equal(typeof want, 'string', `${name}: ${err.message}, oracle accepted`);
      }
    }
    assert.ok(walked > 9600, `only ${walked} walked`);
  });
});
