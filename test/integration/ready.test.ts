// /ready proves serving: it follows a self-query through the real UDP socket, so a wedged
// serving path or a blocked event loop turns it 503 while /health stays 200.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DnsServer } from '../../src/server/dns-server.ts';
import { startAgent } from './agent-harness.ts';
import { get, httpPort, until } from './observe-helpers.ts';

const COREFILE = '.:0 {\n bind 127.0.0.1\n health 127.0.0.1:0\n ready 127.0.0.1:0\n}\n';

it('turns 503 when the serving path is blocked, and 200 again when it recovers', async (t) => {
  const agent = await startAgent(t, COREFILE);
  const port = httpPort(agent.app, '127.0.0.1:0');
  await until('ready', async () => (await get(port, '/ready')).status === 200);
  assert.deepEqual(await get(port, '/ready'), { status: 200, body: 'OK' });
  // Wedge the serving path: every packet is dropped before it is answered.
  const original = DnsServer.prototype.handle;
  DnsServer.prototype.handle = () => false;
  t.after(() => {
    DnsServer.prototype.handle = original;
  });
  await until('not ready', async () => (await get(port, '/ready')).status === 503);
  assert.deepEqual(await get(port, '/ready'), { status: 503, body: 'self-query' });
  assert.deepEqual(await get(port, '/health'), { status: 200, body: 'OK' });
  DnsServer.prototype.handle = original;
  await until('ready again', async () => (await get(port, '/ready')).status === 200);
});

it('turns 503 after the event loop was blocked, while /health stays 200', async (t) => {
  const agent = await startAgent(t, COREFILE);
  const port = httpPort(agent.app, '127.0.0.1:0');
  await until('ready', async () => (await get(port, '/ready')).status === 200);
  const end = performance.now() + 1300;
  while (performance.now() < end) {
    // a handler stuck in a synchronous loop
  }
  const ready = await get(port, '/ready');
  assert.equal(ready.status, 503);
  assert.match(ready.body, /event-loop/);
  assert.equal((await get(port, '/health')).status, 200);
  await until('ready again', async () => (await get(port, '/ready')).status === 200);
});

it('says "Shutting down" during lameduck while DNS and /health still answer', async (t) => {
  const agent = await startAgent(
    t,
    // Long enough for every check below to run inside it on a loaded machine.
    '.:0 {\n bind 127.0.0.1\n health 127.0.0.1:0 {\n lameduck 3s\n }\n ready 127.0.0.1:0\n}\n',
  );
  const port = httpPort(agent.app, '127.0.0.1:0');
  await until('ready', async () => (await get(port, '/ready')).status === 200);
  const stopped = agent.app.stop();
  await until('lameduck began', async () => (await get(port, '/ready')).status === 503);
  assert.deepEqual(await get(port, '/ready'), { status: 503, body: 'Shutting down' });
  assert.equal((await get(port, '/health')).status, 200);
  assert.equal(await agent.app.selfCheck(1000), true, 'DNS still answers during lameduck');
  await stopped;
  await assert.rejects(get(port, '/health', 500));
  assert.ok(agent.lines.some((l) => l.includes('Going into lameduck mode for 3s')));
});
