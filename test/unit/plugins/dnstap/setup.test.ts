// Parsing `dnstap` lines: endpoints, `full`, the block options, and errors with file:line.

import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { CorefileError } from '../../../../src/corefile/errors.ts';
import { DirectiveReader } from '../../../../src/corefile/model.ts';
import { parseCorefile } from '../../../../src/corefile/parse.ts';
import { type DnstapConfig, parseDnstap } from '../../../../src/plugins/dnstap/setup.ts';

function parse(body: string): DnstapConfig {
  const directive = parseCorefile(`. {\n${body}\n}\n`, 'Corefile').blocks[0]?.directives[0];
  if (directive === undefined) throw new Error('no directive');
  return parseDnstap(new DirectiveReader(directive));
}

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
  for (const [body, line, message] of cases)
    assert.throws(
      () => parse(body),
      (err: unknown) =>
        err instanceof CorefileError &&
        err.line === line &&
        message.test(err.message) &&
        err.message.startsWith(`Corefile:${line} - plugin/dnstap: `),
      body,
    );
});
