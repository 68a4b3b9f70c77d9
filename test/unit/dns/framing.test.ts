import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FrameReader, FrameTooLargeError, frame } from '../../../src/dns/framing.ts';

const messages = [
  Buffer.from('hello'),
  Buffer.alloc(0),
  Buffer.alloc(300, 7),
  Buffer.from([1, 2, 3]),
];
const stream = Buffer.concat(messages.map(frame));

/** Feeds `bytes` in the given chunk sizes (the last chunk takes the rest). */
function feed(reader: FrameReader, bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(...reader.push(bytes.subarray(pos, cut)));
    pos = cut;
  }
  out.push(...reader.push(bytes.subarray(pos)));
  return out.map((b) => Buffer.from(b));
}

describe('FrameReader', () => {
  it('frame() prefixes the length', () => {
    assert.equal(frame(Buffer.from([9, 8])).toString('hex'), '00020908');
    assert.equal(frame(Buffer.alloc(0)).toString('hex'), '0000');
  });

  it('returns every message from one chunk, empty messages included', () => {
    const reader = new FrameReader();
    assert.deepEqual(reader.push(stream), messages);
    assert.equal(reader.hasPartial, false);
  });

  it('with ownBuffers, messages are copies that outlive changes to the chunk', () => {
    const chunk = Buffer.from(stream);
    const sliced = new FrameReader().push(chunk);
    const owned = new FrameReader(65535, true).push(chunk);
    assert.deepEqual(owned, messages);
    chunk.fill(0xee); // the socket reuses or drops its read buffer
    assert.deepEqual(owned, messages);
    assert.notDeepEqual(sliced[0], messages[0], 'a slice shares the chunk (the default)');
  });

  it('reassembles messages fed one byte at a time', () => {
    const reader = new FrameReader();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) {
      out.push(...reader.push(stream.subarray(i, i + 1)).map((b) => Buffer.from(b)));
      assert.equal(reader.hasPartial, i < stream.length - 1 && !isBoundary(i + 1));
    }
    assert.deepEqual(out, messages);
  });

  it('gives the same messages at random split points (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          assert.deepEqual(feed(new FrameReader(), stream, cuts), messages);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('ignores empty chunks and keeps a partial frame across them', () => {
    const reader = new FrameReader();
    assert.deepEqual(reader.push(Buffer.alloc(0)), []);
    assert.deepEqual(reader.push(Buffer.from([0])), []);
    assert.deepEqual(reader.push(Buffer.alloc(0)), []);
    assert.equal(reader.hasPartial, true);
    assert.deepEqual(reader.push(Buffer.from([1, 0x41])), [Buffer.from('A')]);
    assert.equal(reader.hasPartial, false);
  });

  it('copies a leftover tail instead of keeping the whole chunk alive', () => {
    const reader = new FrameReader();
    const chunk = Buffer.concat([frame(Buffer.from('x')), Buffer.from([0, 5, 1])]);
    reader.push(chunk);
    chunk.fill(0xff); // a caller may reuse its buffer
    assert.deepEqual(reader.push(Buffer.from([2, 3, 4, 5])), [Buffer.from([1, 2, 3, 4, 5])]);
  });

  it('reassembles a trickled 16 KiB frame with one allocation and no re-copying', (t) => {
    const message = Buffer.alloc(16_384, 0x5a);
    const wire = frame(message);
    const allocs = t.mock.method(Buffer, 'allocUnsafe');
    const concats = t.mock.method(Buffer, 'concat');
    const reader = new FrameReader();
    const out: Buffer[] = [];
    for (let i = 0; i < wire.length; i++) out.push(...reader.push(wire.subarray(i, i + 1)));
    assert.equal(allocs.mock.callCount(), 1);
    assert.equal(allocs.mock.calls[0]?.arguments[0], 16_384);
    assert.equal(concats.mock.callCount(), 0);
    assert.deepEqual(out, [message]);
  });

  // negative
  it('throws FrameTooLargeError as soon as the length prefix is over the limit', () => {
    const reader = new FrameReader(512);
    assert.deepEqual(
      reader.push(frame(Buffer.alloc(512))).map((b) => b.length),
      [512],
    );
    assert.throws(
      () => reader.push(Buffer.from([0x02, 0x01])),
      (err: unknown) => err instanceof FrameTooLargeError && err.code === 'ERR_DNS_FRAME_TOO_LARGE',
    );
    // Split prefix: the first byte alone is not enough to decide.
    const split = new FrameReader(100);
    assert.deepEqual(split.push(Buffer.from([0x00])), []);
    assert.throws(() => split.push(Buffer.from([0x65])), FrameTooLargeError);
  });

  it('accepts the largest frame at the default limit of 65535', () => {
    const big = Buffer.alloc(65535, 1);
    const reader = new FrameReader();
    const out = feed(reader, frame(big), [1, 2, 30000]);
    assert.equal(out.length, 1);
    assert.equal(out[0]?.length, 65535);
  });
});

function isBoundary(offset: number): boolean {
  let pos = 0;
  for (const m of messages) {
    if (pos === offset) return true;
    pos += 2 + m.length;
  }
  return pos === offset;
}
