import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PluginFailure } from '../../../../src/chain/handler.ts';
import { Rcode } from '../../../../src/dns/constants.ts';
import { LineBudget } from '../../../../src/plugins/errors/budget.ts';
import { ErrorsHandler } from '../../../../src/plugins/errors/errors.ts';
import { memoryLogger } from '../../../../src/util/log.ts';
import { RecordingWriter, request } from '../cache/harness.ts';

it('prints at most its budget of error lines per second, counts the rest and says so', () => {
  let now = 0;
  const counter = { suppressed: 0 };
  const log = memoryLogger();
  const failing = {
    name: 'failing',
    serveDNS: () => new PluginFailure('forward', Rcode.SERVFAIL, 'no healthy proxies'),
  };
  const handler = new ErrorsHandler(
    failing,
    { stacktrace: false, consolidate: [] },
    log,
    new LineBudget(counter, 10, () => now),
  );
  const ask = (): void => {
    const result = handler.serveDNS(request({ name: 'down.example.' }), new RecordingWriter());
    assert.ok(result instanceof PluginFailure, 'the failure still reaches the server');
  };
  for (let i = 0; i < 250; i++) ask();
  assert.equal(log.lines.length, 10);
  assert.equal(counter.suppressed, 240);
  now += 999;
  ask();
  assert.equal(log.lines.length, 10, 'still the same second');
  now += 1;
  ask();
  assert.equal(log.lines.length, 12);
  assert.match(log.lines[10] ?? '', /241 error lines left out in the last second/);
  assert.match(log.lines[11] ?? '', /2 down\.example\. A: plugin\/forward: no healthy proxies/);
  assert.equal(counter.suppressed, 241);
});
