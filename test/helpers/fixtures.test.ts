import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FUZZ_CORPUS_ARCHIVE, unpackFuzzCorpus } from './fixtures.ts';

describe('fixtures', () => {
  it('unpacks the fuzz corpus into a temp dir and cleans it up', async (t) => {
    assert.ok(existsSync(FUZZ_CORPUS_ARCHIVE), `missing ${FUZZ_CORPUS_ARCHIVE}`);
    const corpus = await unpackFuzzCorpus();
    t.after(() => corpus.cleanup());
    assert.equal(corpus.files.length, 9774);
    assert.ok(corpus.files.every((f) => f.startsWith(corpus.dir) && f.endsWith('.pkt')));
    const first = corpus.files[0];
    assert.ok(first !== undefined && statSync(first).size > 0);
    await corpus.cleanup();
    assert.equal(existsSync(corpus.dir), false);
  });
});
