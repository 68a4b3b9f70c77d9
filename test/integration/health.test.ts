// health as CoreDNS: /health 200 "OK" on its address, 404 elsewhere, shared with other endpoints
// on the same address, kept (not rebound) across a reload.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { freePort } from '../helpers/ports.ts';
import { startAgent } from './agent-harness.ts';
import { get, httpPort, scrape, until, value } from './observe-helpers.ts';

it('answers /health with 200 OK, other paths 404, and self-fetches every second', async (t) => {
  const agent = await startAgent(
    t,
    '.:0 {\n bind 127.0.0.1\n health 127.0.0.1:0\n prometheus 127.0.0.1:0\n}\n',
  );
  const port = httpPort(agent.app, '127.0.0.1:0');
  assert.deepEqual(await get(port, '/health'), { status: 200, body: 'OK' });
  assert.equal((await get(port, '/healthz')).status, 404);
  // The self-fetch runs on the plugin's one-second timer: wait for its first observation.
  await until(
    'one health self-fetch',
    async () => value(await scrape(port), 'coredns_health_request_duration_seconds_count') >= 1,
  );
  assert.equal(value(await scrape(port), 'coredns_health_request_failures_total'), 0);
});

it('keeps the HTTP listener across a reload and closes it when no block wants it', async (t) => {
  const a = await freePort();
  const b = await freePort();
  const agent = await startAgent(t, `.:0 {\n bind 127.0.0.1\n health 127.0.0.1:${a}\n}\n`);
  await agent.app.reload(`.:0 {\n bind 127.0.0.1\n health 127.0.0.1:${a}\n log\n}\n`);
  assert.equal((await get(a, '/health')).status, 200);
  await agent.app.reload(`.:0 {\n bind 127.0.0.1\n health 127.0.0.1:${b}\n}\n`);
  assert.equal((await get(b, '/health')).status, 200);
  await assert.rejects(get(a, '/health', 500));
});
