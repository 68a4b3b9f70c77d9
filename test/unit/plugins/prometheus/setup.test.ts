import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parsePrometheus } from '../../../../src/plugins/prometheus/setup.ts';
import { errorOf, parseLine } from '../setup-table.ts';

it('parses prometheus [ADDRESS]', () => {
  assert.deepEqual(parseLine('prometheus', parsePrometheus), {
    host: 'localhost',
    port: 9153,
    key: 'localhost|9153',
  });
  assert.deepEqual(parseLine('prometheus :9253', parsePrometheus), {
    host: '',
    port: 9253,
    key: '|9253',
  });
  assert.deepEqual(parseLine('prometheus [::1]:9253', parsePrometheus), {
    host: '::1',
    port: 9253,
    key: '::1|9253',
  });
  assert.match(
    errorOf('prometheus a b', parsePrometheus),
    /^ERR_COREFILE_ARGS Corefile:2 - plugin\/prometheus/,
  );
  assert.match(errorOf('prometheus 9253', parsePrometheus), /ERR_COREFILE_VALUE .*not HOST:PORT/);
  assert.match(errorOf('prometheus :99999', parsePrometheus), /out of range/);
  assert.match(errorOf('prometheus :9253 {\n}', parsePrometheus), /takes no block/);
});
