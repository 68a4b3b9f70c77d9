// forward's counters as a scraper sees them: coredns_proxy_* and coredns_forward_* on /metrics.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dig } from '../helpers/dig.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort } from '../helpers/ports.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';

test('forward exports request durations, connection reuse and rejects under CoreDNS names', async (t) => {
  const upstream = await startFakeUpstream((q) =>
    buildResponse({
      query: q.wire,
      rcode: q.qname.startsWith('nx') ? 3 : 0,
      answer: q.qname.startsWith('nx') ? [] : [rr(`${q.qname} 60 IN A 192.0.2.1`)],
    }),
  );
  t.after(() => upstream.stop());
  const metricsPort = await freePort();
  const agent = await startAgent(
    t,
    `.:0 {\n bind 127.0.0.1\n prometheus 127.0.0.1:${metricsPort}\n forward . ${upstream.address} {\n policy sequential\n }\n}\n`,
  );
  const ask = (...args: string[]) => dig(['@127.0.0.1', '-p', String(agent.port), ...args]);
  await ask('a.example.test');
  await ask('b.example.test');
  await ask('nx.example.test', '+tcp');
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const value = (series: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };
  const to = `to="${upstream.address}"`;
  assert.equal(
    value(
      `coredns_proxy_request_duration_seconds_count{proxy_name="forward",rcode="NOERROR",${to}}`,
    ),
    2,
  );
  assert.equal(
    value(
      `coredns_proxy_request_duration_seconds_count{proxy_name="forward",rcode="NXDOMAIN",${to}}`,
    ),
    1,
  );
  assert.equal(
    value(`coredns_proxy_conn_cache_misses_total{proto="tcp",proxy_name="forward",${to}}`),
    1,
  );
  assert.equal(value(`coredns_proxy_healthcheck_failures_total{proxy_name="forward",${to}}`), 0);
  assert.equal(value('coredns_forward_max_concurrent_rejects_total'), 0);
  assert.equal(value('coredns_forward_healthcheck_broken_total'), 0);
});
