import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WireFormatError } from '../../../src/dns/errors.ts';
import {
  isSubdomain,
  lowerByte,
  nameToWire,
  normalizeName,
  plainNameLength,
  readName,
  skipName,
} from '../../../src/dns/name.ts';
import { oracleName } from './oracle.ts';
import { labels } from './wire-kit.ts';

const pad = (n: number): Buffer => Buffer.alloc(n, 0x61);

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (err: unknown) => err instanceof WireFormatError && err.code === code);
}

/** A name of `total` wire bytes (root included) made of 63-byte labels and one remainder. */
function nameOfLength(total: number): Buffer {
  const parts: Buffer[] = [];
  let left = total - 1;
  while (left > 0) {
    const len = Math.min(63, left - 1);
    parts.push(Buffer.from([len]), pad(len));
    left -= len + 1;
  }
  return Buffer.concat([...parts, Buffer.from([0])]);
}

describe('skipName', () => {
  // positive
  it('walks plain names, the root, and names behind backward pointers', () => {
    assert.equal(skipName(Buffer.from([0]), 0), 1);
    const buf = Buffer.concat([
      labels('www', 'example'),
      Buffer.from([3, 0x66, 0x6f, 0x6f, 0xc0, 4]),
    ]);
    assert.equal(skipName(buf, 0), 13);
    assert.equal(skipName(buf, 13), buf.length); // ends at the pointer, not where it leads
    assert.equal(readName(buf, 13), 'foo.example.');
  });

  it('accepts names of exactly 255 bytes and 63-byte labels, rejects 256 bytes', () => {
    const n255 = nameOfLength(255);
    assert.equal(n255.length, 255);
    assert.equal(skipName(n255, 0), 255);
    assert.equal(plainNameLength(n255, 0), 255);
    const n256 = nameOfLength(256);
    assert.equal(n256.length, 256);
    throwsCode(() => skipName(n256, 0), 'ERR_DNS_NAME_TOO_LONG');
    throwsCode(() => plainNameLength(n256, 0), 'ERR_DNS_NAME_TOO_LONG');
    // The length counts across pointers: 200 bytes behind a pointer plus 60 in front.
    const tail = nameOfLength(200);
    const front = Buffer.concat([Buffer.from([59]), pad(59), Buffer.from([0xc0, 0])]);
    throwsCode(() => skipName(Buffer.concat([tail, front]), tail.length), 'ERR_DNS_NAME_TOO_LONG');
    const ok = Buffer.concat([Buffer.from([53]), pad(53), Buffer.from([0xc0, 0])]);
    assert.equal(skipName(Buffer.concat([tail, ok]), tail.length), tail.length + ok.length);
  });

  it('reads a 63-byte label and rejects 64 (0x40) as a label type', () => {
    assert.equal(skipName(labels('a'.repeat(63)), 0), 65);
    throwsCode(
      () => skipName(Buffer.concat([Buffer.from([64]), pad(64), Buffer.from([0])]), 0),
      'ERR_DNS_BAD_LABEL_TYPE',
    );
    throwsCode(() => skipName(Buffer.from([0x80, 0]), 0), 'ERR_DNS_BAD_LABEL_TYPE');
    throwsCode(() => skipName(Buffer.from([0x41, 0x00]), 0), 'ERR_DNS_BAD_LABEL_TYPE');
  });

  // negative
  it('rejects self pointers, forward pointers and mutual pointers', () => {
    throwsCode(() => skipName(Buffer.from([0xc0, 0x00]), 0), 'ERR_DNS_BAD_POINTER');
    throwsCode(() => skipName(Buffer.from([0, 0, 0xc0, 0x02]), 2), 'ERR_DNS_BAD_POINTER');
    throwsCode(() => skipName(Buffer.from([0xc0, 0x02, 0]), 0), 'ERR_DNS_BAD_POINTER');
    // Two pointers at each other: the second (backward) one is fine, the first is forward.
    const mutual = Buffer.from([0xc0, 0x02, 0xc0, 0x00]);
    throwsCode(() => skipName(mutual, 0), 'ERR_DNS_BAD_POINTER');
    throwsCode(() => skipName(mutual, 2), 'ERR_DNS_BAD_POINTER');
    // A pointer to a pointer past the end of the message.
    throwsCode(() => skipName(Buffer.from([0xc0, 0x40]), 0), 'ERR_DNS_BAD_POINTER');
    throwsCode(() => skipName(Buffer.from([0, 0xff, 0xff]), 1), 'ERR_DNS_BAD_POINTER');
  });

  it('rejects names cut short: pointer half, label past the end, no root', () => {
    throwsCode(() => skipName(Buffer.from([0xc0]), 0), 'ERR_DNS_TRUNCATED');
    throwsCode(() => skipName(Buffer.from([3, 0x61]), 0), 'ERR_DNS_TRUNCATED');
    throwsCode(() => skipName(Buffer.from([1, 0x61]), 0), 'ERR_DNS_TRUNCATED');
    throwsCode(() => skipName(Buffer.alloc(0), 0), 'ERR_DNS_TRUNCATED');
    throwsCode(() => skipName(Buffer.from([0]), 5), 'ERR_DNS_TRUNCATED');
  });

  it('follows backward pointer chains up to the hop cap of 127 and no further', () => {
    // byte 0 is the root; pointer i sits at 1 + 2i and points at the pointer before it.
    const chain = (hops: number): Buffer => {
      const b = Buffer.alloc(1 + 2 * hops);
      for (let i = 0; i < hops; i++) {
        const target = i === 0 ? 0 : 1 + 2 * (i - 1);
        b[1 + 2 * i] = 0xc0 | (target >> 8);
        b[2 + 2 * i] = target & 0xff;
      }
      return b;
    };
    const ok = chain(127);
    assert.equal(skipName(ok, ok.length - 2), ok.length);
    const tooMany = chain(128);
    throwsCode(() => skipName(tooMany, tooMany.length - 2), 'ERR_DNS_POINTER_LOOP');
  });

  it('terminates on a backward loop that labels step over (a pointer inside a label)', () => {
    // byte 12: label of length 2 whose data is a pointer back to 12; byte 15: that pointer again.
    const buf = Buffer.concat([Buffer.alloc(12), Buffer.from([2, 0xc0, 12, 0xc0, 12])]);
    assert.throws(() => skipName(buf, 15), WireFormatError);
    assert.equal(typeof oracleName(buf, 15), 'string');
  });

  it('agrees with the oracle on every 3-byte buffer and every offset', () => {
    const interesting = [0, 1, 2, 0x3f, 0x40, 0x80, 0xc0, 0xc1, 0x61];
    for (const a of interesting)
      for (const b of interesting)
        for (const c of interesting) {
          const buf = Buffer.from([a, b, c]);
          for (let off = 0; off < 3; off++) {
            const want = oracleName(buf, off);
            if (typeof want === 'string') assert.throws(() => skipName(buf, off), WireFormatError);
            else assert.equal(skipName(buf, off), want.end, `${buf.toString('hex')}@${off}`);
          }
        }
  });
});

describe('plainNameLength', () => {
  it('measures uncompressed names and refuses pointers', () => {
    assert.equal(plainNameLength(labels('a', 'bc'), 0), 6);
    assert.equal(plainNameLength(Buffer.from([0]), 0), 1);
    throwsCode(() => plainNameLength(Buffer.from([1, 0x61, 0xc0, 0]), 0), 'ERR_DNS_BAD_POINTER');
    throwsCode(() => plainNameLength(Buffer.from([0x40, 0]), 0), 'ERR_DNS_BAD_LABEL_TYPE');
    throwsCode(() => plainNameLength(Buffer.from([0x80, 0]), 0), 'ERR_DNS_BAD_LABEL_TYPE');
    throwsCode(() => plainNameLength(Buffer.from([5, 0x61]), 0), 'ERR_DNS_TRUNCATED');
  });
});

describe('readName', () => {
  it('escapes dots, backslashes, spaces, control and high bytes', () => {
    const buf = labels([0x61, 0x2e, 0x62], [0x5c], [0x20, 0x7f, 0xff, 0x00], 'Mixed');
    assert.equal(readName(buf, 0), 'a\\.b.\\\\.\\032\\127\\255\\000.Mixed.');
    assert.equal(readName(Buffer.from([0]), 0), '.');
    assert.equal(
      readName(Buffer.concat([labels('x'), Buffer.from([1, 0x79, 0xc0, 0])]), 3),
      'y.x.',
    );
  });

  it('validates before reading, so a loop throws instead of hanging', () => {
    throwsCode(() => readName(Buffer.from([0xc0, 0]), 0), 'ERR_DNS_BAD_POINTER');
  });

  it('round-trips through nameToWire', () => {
    for (const text of ['a\\.b.\\\\.\\032\\127\\255\\000.Mixed.', 'example.org.', '.']) {
      assert.equal(readName(nameToWire(text), 0), text);
    }
  });
});

describe('nameToWire and normalizeName', () => {
  // positive
  it('encodes names with and without the trailing dot, escapes included', () => {
    assert.deepEqual([...nameToWire('a.b')], [1, 0x61, 1, 0x62, 0]);
    assert.deepEqual([...nameToWire('a.b.')], [1, 0x61, 1, 0x62, 0]);
    assert.deepEqual([...nameToWire('a\\.b.')], [3, 0x61, 0x2e, 0x62, 0]);
    assert.deepEqual([...nameToWire('\\065.')], [1, 0x41, 0]);
    assert.deepEqual([...nameToWire('.')], [0]);
    assert.equal(nameToWire(`${'a'.repeat(63)}.`).length, 65);
    assert.equal(normalizeName('Example.ORG'), 'example.org.');
    assert.equal(normalizeName(' . '), '.');
    assert.equal(normalizeName(''), '.');
  });

  // negative
  it('rejects empty labels, 64-byte labels, 256-byte names and non-latin1 text', () => {
    assert.throws(() => nameToWire('a..b.'), /empty label/);
    assert.throws(() => nameToWire('.a.'), /empty label/);
    assert.throws(() => nameToWire(`${'a'.repeat(64)}.`), /longer than 63/);
    const label = 'a'.repeat(63);
    assert.equal(nameToWire(`${label}.${label}.${label}.${'a'.repeat(61)}.`).length, 255);
    assert.throws(() => nameToWire(`${label}.${label}.${label}.${'a'.repeat(62)}.`), /255/);
    assert.throws(() => nameToWire('ä€.'), /non-ASCII/);
    assert.throws(() => normalizeName('a..b'), /empty label/);
  });

  it('rejects \\DDD escapes over 255 and a lone trailing backslash', () => {
    assert.deepEqual([...nameToWire('\\255.')], [1, 0xff, 0]);
    assert.throws(() => nameToWire('a\\256.'), /escape/);
    assert.throws(() => nameToWire('a\\999.'), /escape/);
    assert.throws(() => nameToWire('a\\'), /escape/);
  });
});

describe('lowerByte and isSubdomain', () => {
  it('folds only A-Z', () => {
    for (let b = 0; b < 256; b++) {
      const want = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
      assert.equal(lowerByte(b), want);
    }
  });

  it('matches on label boundaries only', () => {
    assert.equal(isSubdomain('a.example.org.', 'example.org.'), true);
    assert.equal(isSubdomain('example.org.', 'example.org.'), true);
    assert.equal(isSubdomain('badexample.org.', 'example.org.'), false);
    assert.equal(isSubdomain('org.', 'example.org.'), false);
    assert.equal(isSubdomain('anything.', '.'), true);
  });
});
