// A block that forwards to itself: CoreDNS exits (which, with node-cache's rules installed,
// black-holes the node). The agent logs it, reports not ready and keeps serving other zones.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { query } from '../helpers/client.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { inspect } from '../helpers/inspect.ts';
import { freePort } from '../helpers/ports.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';
import { get, httpPort, until } from './observe-helpers.ts';

it('detects a self-forward, stays up, answers other zones and /ready is 503', async (t) => {
  const upstream = await startFakeUpstream((q) =>
    buildResponse({ query: q.wire, answer: [rr(`${q.qname} 30 IN A 10.0.0.7`)] }),
  );
  t.after(() => upstream.stop());
  const port = await freePort();
  const agent = await startAgent(
    t,
    `.:${port} {\n bind 127.0.0.1\n ready 127.0.0.1:0\n loop\n forward . ${upstream.address}\n}\n` +
      `loopy.test:${port} {\n bind 127.0.0.1\n loop\n forward . 127.0.0.1:${port}\n}\n`,
  );
  const http = httpPort(agent.app, '127.0.0.1:0');
  // Detection is observable on /ready (the loop check turns it 503); the log line is asserted.
  await until('loop detected', async () => /\bloop\b/.test((await get(http, '/ready')).body));
  assert.equal((await get(http, '/ready')).status, 503);
  const line = agent.lines.find((l) => l.includes('Loop ('));
  assert.match(
    line ?? '',
    /^\[ERROR\] plugin\/loop: Loop \(127\.0\.0\.1:\d+ -> dns:\/\/127\.0\.0\.1:\d+\) detected for zone "loopy\.test\.", see https:\/\/coredns\.io\/plugins\/loop#troubleshooting\. Query: "HINFO \d+\.\d+\.loopy\.test\."/,
  );
  const other = inspect(
    await query({ host: '127.0.0.1', port, proto: 'udp', name: 'www.example.com' }),
  );
  assert.equal(other.rcode, 0);
  assert.equal(other.answer.length, 1);
  const started = performance.now();
  const looped = inspect(
    await query({ host: '127.0.0.1', port, proto: 'udp', name: 'a.loopy.test' }),
  );
  assert.equal(looped.rcode, 2, 'the looping block answers SERVFAIL at once');
  // At once: nominally a millisecond; a forwarded loop would wait out forward's 2 s read timeout.
  const ms = performance.now() - started;
  assert.ok(ms < 1500, `SERVFAIL after ${ms} ms`);
  // Fixing the Corefile by reload makes it ready again.
  await agent.app.reload(
    `.:${port} {\n bind 127.0.0.1\n ready 127.0.0.1:0\n loop\n forward . ${upstream.address}\n}\n`,
  );
  await until('ready after the fix', async () => (await get(http, '/ready')).status === 200);
});
