// `prometheus ADDRESS { status ADDRESS|off }`: the status page and /debug/top (query names,
// client IPs) move to another listener or disappear, while /metrics stays on ADDRESS.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';
import { httpPort } from './observe-helpers.ts';

async function status(host: string, port: number, path: string): Promise<number> {
  const res = await fetch(`http://${host}:${port}${path}`, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
  return res.status;
}

it('serves the status page and /debug/top only where `status` says', async (t) => {
  const upstream = await startFakeUpstream((q) => buildResponse({ query: q.wire }));
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `cluster.local:0 {\n bind 127.0.0.1\n prometheus 127.0.0.2:0 {\n  status 127.0.0.1:0\n }\n forward . ${upstream.address}\n}\n` +
      `.:0 {\n bind 127.0.0.1\n prometheus 127.0.0.2:0 {\n  status off\n }\n forward . ${upstream.address}\n}\n`,
  );
  const metricsPort = httpPort(agent.app, '127.0.0.2:0');
  const statusPort = httpPort(agent.app, '127.0.0.1:0');
  assert.equal(await status('127.0.0.2', metricsPort, '/metrics'), 200);
  for (const path of ['/', '/status', '/debug/top'])
    assert.equal(
      await status('127.0.0.2', metricsPort, path),
      404,
      `${path} on the metrics address`,
    );
  for (const path of ['/', '/status', '/debug/top', '/metrics'])
    assert.equal(await status('127.0.0.1', statusPort, path), 200, `${path} on the status address`);
});

it('serves nothing but /metrics with `status off`', async (t) => {
  const upstream = await startFakeUpstream((q) => buildResponse({ query: q.wire }));
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `.:0 {\n bind 127.0.0.1\n prometheus 127.0.0.1:0 {\n  status off\n }\n forward . ${upstream.address}\n}\n`,
  );
  const port = httpPort(agent.app, '127.0.0.1:0');
  assert.equal(await status('127.0.0.1', port, '/metrics'), 200);
  for (const path of ['/', '/status', '/debug/top'])
    assert.equal(await status('127.0.0.1', port, path), 404, path);
});
