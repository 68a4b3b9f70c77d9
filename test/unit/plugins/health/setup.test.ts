import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseHealth } from '../../../../src/plugins/health/setup.ts';
import { errorOf, parseLine } from '../setup-table.ts';

it('parses health [ADDRESS] { lameduck DURATION }', () => {
  assert.deepEqual(parseLine('health', parseHealth), {
    address: { host: '', port: 8080, key: '|8080' },
    lameduckMs: 0,
  });
  assert.equal(
    parseLine('health 169.254.20.10:8080 {\nlameduck 5s\n}', parseHealth).lameduckMs,
    5000,
  );
  assert.equal(parseLine('health [fd00::10]:8080', parseHealth).address.host, 'fd00::10');
  assert.match(errorOf('health bla', parseHealth), /not HOST:PORT/);
  assert.match(errorOf('health :8080 {\nlameduck\n}', parseHealth), /ERR_COREFILE_ARGS/);
  assert.match(errorOf('health :8080 {\nlameduck 5\n}', parseHealth), /missing unit/);
  assert.match(errorOf('health :8080 {\nfoo 1s\n}', parseHealth), /unknown property 'foo'/);
});
