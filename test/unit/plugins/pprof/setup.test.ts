// Parsing `pprof` lines: the default address, loopback-only unless allow_remote, `block`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type PprofConfig, parsePprof } from '../../../../src/plugins/pprof/setup.ts';
import { assertLineErrors, parseLine } from '../directive-errors.ts';

const parse = (body: string): PprofConfig => parseLine(body, parsePprof);

test('addresses: localhost:6053 by default, loopback ones, others only with allow_remote', () => {
  assert.deepEqual(parse('pprof').address, {
    host: 'localhost',
    port: 6053,
    key: 'localhost|6053',
  });
  assert.equal(parse('pprof 127.0.0.1:6060').address.port, 6060);
  assert.equal(parse('pprof [::1]:6060').address.host, '::1');
  assert.equal(parse('pprof :6060 {\nallow_remote\n}').address.host, '');
  assert.equal(parse('pprof 10.0.0.1:6060 {\nallow_remote\nblock 1\n}').address.host, '10.0.0.1');
  assert.equal(parse('pprof {\nblock\n}').address.port, 6053);
});

test('bad lines are errors at their line', () => {
  const cases: [string, number, RegExp][] = [
    ['pprof :6060', 2, /':6060' is not a loopback address.*allow_remote/],
    ['pprof 0.0.0.0:6060', 2, /not a loopback address/],
    ['pprof 127.0.0.1', 2, /is not HOST:PORT/],
    ['pprof a:1 b:2', 2, /wrong argument count/],
    ['pprof {\nblock x\n}', 3, /block: invalid rate 'x'/],
    ['pprof {\nallow_remote yes\n}', 3, /wrong argument count/],
    ['pprof {\nmutex\n}', 3, /unknown property 'mutex'/],
  ];
  assertLineErrors('pprof', parsePprof, cases);
});
