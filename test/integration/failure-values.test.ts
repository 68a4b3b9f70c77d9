// Expected failures are values, not exceptions: during an upstream outage forward resolves with
// a PluginFailure (SERVFAIL, the last exchange error as its cause, no stack trace captured), and
// past max_concurrent it returns REFUSED the same way. Through the whole agent the errors plugin
// logs one line per query, without a stack, and nothing counts as a panic.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PluginFailure } from '../../src/chain/handler.ts';
import { Rcode } from '../../src/dns/constants.ts';
import { UpstreamError } from '../../src/upstream/errors.ts';
import { query } from '../helpers/client.ts';
import { inspect } from '../helpers/inspect.ts';
import { startAgent } from './agent-harness.ts';
import { makeForward, RecordingWriter, request } from './forward-support/harness.ts';
import { deadPort } from './forward-support/upstream.ts';

test('an upstream outage resolves with a SERVFAIL value whose cause has no stack', async (t) => {
  const port = await deadPort();
  const fwd = makeForward(`forward . 127.0.0.1:${port} {\nforce_tcp\n}`);
  t.after(() => fwd.close());
  const result = await fwd.serveDNS(request('down.example.'), new RecordingWriter());
  assert.ok(result instanceof PluginFailure, `got ${String(result)}`);
  assert.equal(result.rcode, Rcode.SERVFAIL);
  assert.match(result.message, /^plugin\/forward: connect failed/);
  assert.ok(result.cause instanceof UpstreamError);
  assert.equal(result.cause.stack?.includes('\n    at '), false, result.cause.stack);
});

test('max_concurrent returns REFUSED as a value, synchronously', async (t) => {
  const port = await deadPort();
  const fwd = makeForward(`forward . 127.0.0.1:${port} {\nmax_concurrent 1\nforce_tcp\n}`);
  t.after(() => fwd.close());
  const first = fwd.serveDNS(request('one.example.'), new RecordingWriter());
  const second = fwd.serveDNS(request('two.example.'), new RecordingWriter());
  assert.ok(second instanceof PluginFailure);
  assert.equal(second.rcode, Rcode.REFUSED);
  assert.equal(fwd.stats.maxConcurrentRejects, 1);
  await first;
});

test('the agent answers SERVFAIL during an outage, logs one line per query and no panic', async (t) => {
  const port = await deadPort();
  const agent = await startAgent(
    t,
    `example.:0 {\n bind 127.0.0.1\n errors\n forward . 127.0.0.1:${port} {\n  force_tcp\n }\n}\n`,
  );
  for (let i = 0; i < 3; i++) {
    const m = inspect(
      await query({
        host: '127.0.0.1',
        port: agent.port,
        proto: 'udp',
        name: `q${i}.example.`,
        timeoutMs: 8000,
      }),
    );
    assert.equal(m.rcode, Rcode.SERVFAIL);
  }
  const errors = agent.lines.filter((l) => l.includes('plugin/errors'));
  assert.equal(errors.length, 3, errors.join('\n'));
  assert.ok(errors.every((l) => l.includes('plugin/forward: connect failed')));
  assert.equal(agent.lines.join('\n').includes('    at '), false, 'no stack trace logged');
  assert.equal(
    agent.lines.some((l) => l.includes('Recovered from panic')),
    false,
  );
  // Three lines are well within the per-second budget: none left out, and the counter says so.
  assert.match(
    agent.app.services.renderMetrics(),
    /^coredns_nodecache_errors_suppressed_total 0$/m,
  );
});
