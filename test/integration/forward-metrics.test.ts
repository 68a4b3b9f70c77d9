// The forward counters read out under CoreDNS's names, and the duration hook's labels.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  collectForwardCounters,
  FORWARD_METRICS,
  observeRequestDurations,
} from '../../src/plugins/forward/metrics.ts';
import { makeForward, request, run } from './forward-support/harness.ts';
import { answerFor, startUpstream } from './forward-support/upstream.ts';

test('metric names follow CoreDNS v1.13 and every counter has HELP', () => {
  for (const m of Object.values(FORWARD_METRICS)) {
    assert.match(m.name, /^coredns_(forward|proxy)_[a-z_]+(_total|_seconds)$/);
    assert.ok(m.help.length > 10);
  }
});

test('counters start at zero per upstream and protocol, then count', async (t) => {
  const up = await startUpstream((q) => ({
    reply: answerFor(q.wire, { rcode: q.qname.startsWith('nx') ? 3 : 0 }),
  }));
  const fwd = makeForward(`forward . ${up.address} 127.0.0.1:9`);
  t.after(async () => {
    fwd.close();
    await up.stop();
  });
  const zero = collectForwardCounters(fwd);
  assert.equal(zero.length, 2 + 2 * 5);
  assert.ok(zero.every((s) => s.value === 0));
  const seen: { labels: object; seconds: number }[] = [];
  observeRequestDurations(fwd, (labels, seconds) => seen.push({ labels, seconds }));
  const sequential = makeForward(`forward . ${up.address} { policy sequential }`);
  t.after(() => sequential.close());
  observeRequestDurations(sequential, (labels, seconds) => seen.push({ labels, seconds }));
  await run(sequential, request('a.example.'));
  await run(sequential, request('nx.example.', { transport: 'tcp' }));
  assert.deepEqual(
    seen.map((s) => s.labels),
    [
      { proxy_name: 'forward', to: up.address, rcode: 'NOERROR' },
      { proxy_name: 'forward', to: up.address, rcode: 'NXDOMAIN' },
    ],
  );
  assert.ok(seen.every((s) => s.seconds > 0 && s.seconds < 1));
  const counters = collectForwardCounters(sequential);
  const value = (name: string, proto: string): number | undefined =>
    counters.find((c) => c.metric.name === name && c.labels['proto'] === proto)?.value;
  assert.equal(value('coredns_proxy_conn_cache_misses_total', 'udp'), 1);
  assert.equal(value('coredns_proxy_conn_cache_misses_total', 'tcp'), 1);
  assert.equal(sequential.upstreams[0]?.stats.responses.get(3), 1);
});
