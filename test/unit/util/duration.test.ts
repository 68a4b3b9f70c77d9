import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseDurationMs } from '../../../src/cli/duration.ts';
import { DurationError, parseGoDuration, parseGoDurationNs } from '../../../src/util/duration.ts';

it('parses Go durations once for Corefiles and flags alike', () => {
  const cases: Array<[string, number]> = [
    ['0', 0],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['-2s', -2000],
    ['+.5s', 500],
    ['10µs', 0.01],
    ['10μs', 0.01],
  ];
  for (const [text, ms] of cases) {
    assert.equal(parseGoDuration(text), ms, text);
    assert.equal(parseGoDurationNs(text), ms * 1e6, text);
  }
  assert.equal(parseDurationMs('1m30s', 'x'), 90_000);
});

it('rejects what Go rejects, saying why', () => {
  for (const [text, why] of [
    ['', /empty/],
    ['5', /missing unit/],
    ['5d', /unknown unit/],
    ['1s2', /unknown unit/],
  ] as const) {
    assert.throws(
      () => parseGoDuration(text),
      (e: unknown) => e instanceof DurationError && why.test((e as Error).message),
      text,
    );
    assert.equal(parseGoDurationNs(text), undefined, text);
  }
});
