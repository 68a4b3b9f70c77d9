// Parsing `dnstap` lines: endpoints, `full`, the block options, and errors with file:line.

import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { type DnstapConfig, parseDnstap } from '../../../../src/plugins/dnstap/setup.ts';
import { assertLineErrors, parseLine } from '../directive-errors.ts';

const parse = (body: string): DnstapConfig => parseLine(body, parseDnstap);

test('endpoints, full and the options', () => {
  assert.deepEqual(parse('dnstap /tmp/tap.sock'), {
    endpoint: { kind: 'unix', path: '/tmp/tap.sock' },
    full: false,
    identity: hostname(),
    version: 'nodelocaldns',
  });
  assert.deepEqual(parse('dnstap unix:///run/tap.sock full').endpoint, {
    kind: 'unix',
    path: '/run/tap.sock',
  });
  const tcp = parse('dnstap tcp://127.0.0.1:6000 full {\nidentity a\nversion b\nskipverify\n}');
  assert.deepEqual(tcp, {
    endpoint: { kind: 'tcp', host: '127.0.0.1', port: 6000 },
    full: true,
    identity: 'a',
    version: 'b',
  });
  assert.deepEqual(parse('dnstap tcp://[::1]:6000').endpoint, {
    kind: 'tcp',
    host: '::1',
    port: 6000,
  });
});

test('bad lines are errors at their line', () => {
  const cases: [string, number, RegExp][] = [
    ['dnstap', 2, /wrong argument count/],
    ['dnstap /a /b /c', 2, /wrong argument count/],
    ['dnstap /a fill', 2, /second argument must be 'full', not 'fill'/],
    ['dnstap tls://127.0.0.1:6000', 2, /tls:\/\/ endpoints are not supported/],
    ['dnstap tcp://127.0.0.1', 2, /invalid tcp endpoint/],
    ['dnstap tcp://127.0.0.1:70000', 2, /invalid tcp endpoint/],
    ['dnstap http://x', 2, /invalid dnstap endpoint/],
    ['dnstap /a {\nidentity\n}', 3, /identity: wrong argument count/],
    ['dnstap /a {\nextra x\n}', 3, /unknown property 'extra'/],
  ];
  assertLineErrors('dnstap', parseDnstap, cases);
});
