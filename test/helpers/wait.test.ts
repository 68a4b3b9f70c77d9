import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from './clock.ts';
import { holdsWithin, until, untilValue } from './wait.ts';

describe('wait helper', () => {
  it('returns once the check holds, checking again between polls', async () => {
    let calls = 0;
    await until('the third call', () => ++calls === 3, 5000, 1);
    assert.equal(calls, 3);
  });

  it('fails with what it waited for when the check never holds', async () => {
    await assert.rejects(
      until('the impossible', () => false, 30, 5),
      {
        message: 'timed out after 30 ms waiting for the impossible',
      },
    );
  });

  it('builds the failure message at the deadline, with the state as it is then', async () => {
    let calls = 0;
    await assert.rejects(
      until(
        () => `a check that ran ${calls} times`,
        () => ++calls < 0,
        30,
        5,
      ),
      (err: Error) => {
        const ran = Number(/ran (\d+) times/.exec(err.message)?.[1]);
        assert.equal(ran, calls);
        assert.ok(ran >= 2, err.message);
        return true;
      },
    );
  });

  it('holdsWithin resolves false at the deadline instead of throwing', async () => {
    assert.equal(await holdsWithin(() => false, 30, 5), false);
    let calls = 0;
    assert.equal(await holdsWithin(() => ++calls === 2, 5000, 1), true);
    assert.equal(calls, 2);
  });

  it('propagates an error the check throws instead of polling on', async () => {
    let calls = 0;
    await assert.rejects(
      until('a broken check', () => {
        calls++;
        throw new Error('broken');
      }),
      /broken/,
    );
    assert.equal(calls, 1);
  });

  it('untilValue resolves with the value that passed', async () => {
    let n = 0;
    assert.equal(
      await untilValue(
        'n to reach 4',
        () => ++n,
        (v) => v >= 4,
        5000,
      ),
      4,
    );
  });
});

describe('manual clock', () => {
  it('moves only when advanced, both clocks together, in whole milliseconds', () => {
    const clock = new ManualClock({ monotonicMs: 1000, wallMs: 1_700_000_000_000 });
    assert.equal(clock.monotonicMs(), 1000);
    clock.advance(60_000);
    assert.equal(clock.monotonicMs(), 61_000);
    assert.equal(clock.wallMs(), 1_700_000_060_000);
    assert.equal(Number.isInteger(new ManualClock().monotonicMs()), true);
  });
});
