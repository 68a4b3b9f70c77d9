// Corefile durations that set a timer are refused past Node's timer limit (2^31-1 ms): Node
// would fire such a timer after 1 ms, turning `reload 1000h` or `health_check 1000h` into a
// busy loop. The error names the file and line; the limit itself is accepted.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { planCorefile } from '../../../src/config/plan.ts';
import { parseCorefile } from '../../../src/corefile/parse.ts';
import { PLUGINS } from '../../../src/plugins/registry.ts';

const plan = (line: string): void => {
  planCorefile(parseCorefile(`example.:1053 {\n${line}\n}\n`, 'Corefile'), PLUGINS, {
    defaultPort: 53,
  });
};

const TIMER_LINES = [
  'reload 1000h',
  'reload 30s 1000h',
  'health :0 {\n lameduck 1000h\n}',
  'errors {\n consolidate 1000h ".*"\n}',
  'hosts {\n reload 1000h\n}',
  'forward . 127.0.0.1 {\n health_check 1000h\n}',
  'forward . 127.0.0.1 {\n expire 1000h\n}',
  'trace {\n zipkin_max_batch_interval 1000h\n}',
];

it('refuses a timer duration past 24 days, with the file and line', () => {
  for (const line of TIMER_LINES)
    assert.throws(
      () => plan(line),
      (e: Error) => /^Corefile:\d+ - .*timer limit/.test(e.message),
      line,
    );
});

it('accepts the same lines at sane values', () => {
  for (const line of TIMER_LINES) plan(line.replaceAll('1000h', '2s'));
});
