import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseReady } from '../../../../src/plugins/ready/setup.ts';
import { errorOf, parseLine } from '../setup-table.ts';

it('parses ready [ADDRESS] { monitor until-ready|continuously }', () => {
  assert.deepEqual(parseLine('ready', parseReady), {
    address: { host: '', port: 8181, key: '|8181' },
    monitor: 'until-ready',
  });
  assert.equal(
    parseLine('ready 127.0.0.1:8181 {\nmonitor continuously\n}', parseReady).monitor,
    'continuously',
  );
  assert.match(errorOf('ready :8181 {\nmonitor sometimes\n}', parseReady), /monitor must be/);
  assert.match(errorOf('ready :8181 {\nfoo\n}', parseReady), /unknown property/);
  assert.match(errorOf('ready a b', parseReady), /ERR_COREFILE_ARGS/);
});
