import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parsePrometheus } from '../../../../src/plugins/prometheus/setup.ts';
import { errorOf, parseLine } from '../setup-table.ts';

it('parses prometheus [ADDRESS]', () => {
  const address = (text: string) => parseLine(text, parsePrometheus).address;
  assert.deepEqual(address('prometheus'), { host: 'localhost', port: 9153, key: 'localhost|9153' });
  assert.deepEqual(address('prometheus :9253'), { host: '', port: 9253, key: '|9253' });
  assert.deepEqual(address('prometheus [::1]:9253'), { host: '::1', port: 9253, key: '::1|9253' });
  assert.equal(parseLine('prometheus :9253', parsePrometheus).status, undefined);
  assert.match(
    errorOf('prometheus a b', parsePrometheus),
    /^ERR_COREFILE_ARGS Corefile:2 - plugin\/prometheus/,
  );
  assert.match(errorOf('prometheus 9253', parsePrometheus), /ERR_COREFILE_VALUE .*not HOST:PORT/);
  assert.match(errorOf('prometheus :99999', parsePrometheus), /out of range/);
});

it('parses the status option: where the status page and /debug/top go, or off', () => {
  assert.equal(parseLine('prometheus :9253 {\nstatus off\n}', parsePrometheus).status, 'off');
  assert.deepEqual(
    parseLine('prometheus :9253 {\nstatus 127.0.0.1:9254\n}', parsePrometheus).status,
    {
      host: '127.0.0.1',
      port: 9254,
      key: '127.0.0.1|9254',
    },
  );
  assert.match(
    errorOf('prometheus :9253 {\nstatus\n}', parsePrometheus),
    /ERR_COREFILE_ARGS Corefile:3 - plugin\/prometheus/,
  );
  assert.match(errorOf('prometheus :9253 {\nstatus on\n}', parsePrometheus), /not HOST:PORT/);
  assert.match(
    errorOf('prometheus :9253 {\nlisten :1\n}', parsePrometheus),
    /unknown property 'listen'/,
  );
});
