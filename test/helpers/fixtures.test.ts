import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WireFormatError } from '../../src/dns/errors.ts';
import { walkMessage } from '../../src/dns/message.ts';
import { FUZZ_CORPUS_ARCHIVE, loadFuzzCorpus, unpackFuzzCorpus } from './fixtures.ts';
import { inspect } from './inspect.ts';

describe('fixtures', () => {
  it('unpacks the fuzz corpus with tar, reads the same packets in memory, and cleans up', async (t) => {
    assert.ok(existsSync(FUZZ_CORPUS_ARCHIVE), `missing ${FUZZ_CORPUS_ARCHIVE}`);
    const corpus = await unpackFuzzCorpus();
    t.after(() => corpus.cleanup());
    assert.equal(corpus.files.length, 9774);
    assert.ok(corpus.files.every((f) => f.startsWith(corpus.dir) && f.endsWith('.pkt')));
    const inMemory = loadFuzzCorpus();
    assert.equal(inMemory.length, corpus.files.length);
    for (const i of [0, 1234, inMemory.length - 1]) {
      const entry = inMemory[i];
      assert.ok(entry && entry.wire.length > 0);
      assert.deepEqual(entry.wire, readFileSync(join(corpus.dir, entry.name)));
    }
    await corpus.cleanup();
    assert.equal(existsSync(corpus.dir), false);
  });

  it('inspect() decodes every corpus packet walkMessage accepts, malformed rdata included', () => {
    let walked = 0;
    for (const { name, wire } of loadFuzzCorpus()) {
      try {
        walkMessage(wire);
      } catch (err) {
        assert.ok(err instanceof WireFormatError, `${name}: ${String(err)}`);
        continue;
      }
      walked++;
      assert.doesNotThrow(() => inspect(wire), name);
    }
    assert.ok(walked > 9000, `only ${walked} packets walked`);
  });
});
