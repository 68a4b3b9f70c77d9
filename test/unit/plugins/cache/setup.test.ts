import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CorefileError } from '../../../../src/corefile/errors.ts';
import { parseCacheLine } from './harness.ts';

describe('cache setup', () => {
  // positive
  const good: Array<[string, (c: ReturnType<typeof parseCacheLine>) => void]> = [
    [
      'cache',
      (c) =>
        assert.deepEqual(
          [c.success.maxTtl, c.denial.maxTtl, c.success.capacity, c.servfailTtl],
          [3600, 1800, 10000, 5],
        ),
    ],
    [
      'cache 30',
      (c) => assert.deepEqual([c.success.maxTtl, c.denial.maxTtl, c.success.minTtl], [30, 30, 5]),
    ],
    ['cache aaa example.nl', (c) => assert.deepEqual(c.zones, ['aaa.', 'example.nl.'])],
    [
      'cache {\n success 10 1800 30\n}',
      (c) => assert.deepEqual(c.success, { capacity: 10, maxTtl: 1800, minTtl: 30 }),
    ],
    [
      'cache {\n denial 10 15 2\n}',
      (c) => assert.deepEqual(c.denial, { capacity: 10, maxTtl: 15, minTtl: 2 }),
    ],
    [
      'cache 25 example.nl {\n success 10\n denial 10 15\n}',
      (c) => assert.deepEqual([c.success.maxTtl, c.denial.maxTtl], [25, 15]),
    ],
    [
      'cache {\n prefetch 2 30s 20%\n}',
      (c) => assert.deepEqual(c.prefetch, { amount: 2, durationMs: 30_000, percentage: 20 }),
    ],
    [
      'cache {\n serve_stale\n}',
      (c) => assert.deepEqual([c.serveStaleMs, c.staleMode], [3_600_000, 'immediate']),
    ],
    [
      'cache {\n serve_stale 20m VERIFY\n}',
      (c) => assert.deepEqual([c.serveStaleMs, c.staleMode], [1_200_000, 'verify']),
    ],
    ['cache {\n servfail 0\n}', (c) => assert.equal(c.servfailTtl, 0)],
    [
      'cache {\n disable success example.org\n disable denial\n}',
      (c) => assert.deepEqual([c.disableSuccess, c.disableDenial], [['example.org.'], ['.']]),
    ],
    [
      'cache {\n keepttl\n persist /tmp/x.snap\n}',
      (c) => assert.deepEqual([c.keepTtl, c.persistPath], [true, '/tmp/x.snap']),
    ],
  ];
  for (const [text, check] of good)
    it(`accepts ${JSON.stringify(text)}`, () => check(parseCacheLine(text)));

  // negative: each names its line
  const bad: Array<[string, RegExp, number]> = [
    ['cache 0', /TTL must be positive/, 2],
    ['cache -1', /TTL must be positive/, 2],
    ['cache {\n positive 15\n}', /unknown property 'positive'/, 3],
    ['cache {\n success\n}', /wrong argument count/, 3],
    ['cache {\n success abc\n}', /must be an integer/, 3],
    ['cache {\n prefetch 1 1m 5%\n}', /between 10% and 90%/, 3],
    ['cache {\n prefetch 1 1m 20\n}', /look like '10%'/, 3],
    ['cache {\n serve_stale 20\n}', /missing unit/, 3],
    ['cache {\n serve_stale 1h sometimes\n}', /'immediate' or 'verify'/, 3],
    ['cache {\n servfail 6m\n}', /at most 5m/, 3],
    ['cache {\n servfail 20\n}', /missing unit/, 3],
    ['cache {\n disable everything\n}', /'success' or 'denial'/, 3],
    ['cache {\n keepttl yes\n}', /wrong argument count/, 3],
  ];
  for (const [text, message, line] of bad) {
    it(`rejects ${JSON.stringify(text)} at line ${line}`, () => {
      assert.throws(
        () => parseCacheLine(text),
        (err: unknown) => {
          assert.ok(err instanceof CorefileError);
          assert.match(err.message, message);
          assert.equal(err.line, line);
          assert.match(err.message, /^Corefile:\d+ - plugin\/cache: /);
          return true;
        },
      );
    });
  }
});
