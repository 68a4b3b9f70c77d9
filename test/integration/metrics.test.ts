// /metrics against the documented names, label sets and bucket sets (coredns-plugins.md §5,
// node-cache.md §5), with real queries through the agent.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SIZE_BUCKETS, SLIM_TIME_BUCKETS, TIME_BUCKETS } from '../../src/metrics/histogram.ts';
import { query } from '../helpers/client.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';
import { type Exposition, httpPort, scrape, series, until, value } from './observe-helpers.ts';

/** name → [type, label names (le excluded), bucket bounds for histograms]. */
const DOCUMENTED: Record<string, [string, string[], (readonly number[])?]> = {
  coredns_build_info: ['gauge', ['goversion', 'revision', 'version']],
  coredns_panics_total: ['counter', []],
  coredns_dns_requests_total: ['counter', ['family', 'proto', 'server', 'type', 'view', 'zone']],
  coredns_dns_request_duration_seconds: ['histogram', ['server', 'view', 'zone'], TIME_BUCKETS],
  coredns_dns_request_size_bytes: ['histogram', ['proto', 'server', 'view', 'zone'], SIZE_BUCKETS],
  coredns_dns_do_requests_total: ['counter', ['server', 'view', 'zone']],
  coredns_dns_response_size_bytes: ['histogram', ['proto', 'server', 'view', 'zone'], SIZE_BUCKETS],
  coredns_dns_responses_total: ['counter', ['plugin', 'rcode', 'server', 'view', 'zone']],
  coredns_plugin_enabled: ['gauge', ['name', 'server', 'view', 'zone']],
  coredns_reload_failed_total: ['counter', []],
  coredns_reload_version_info: ['gauge', ['hash', 'value']],
  coredns_health_request_duration_seconds: ['histogram', [], SLIM_TIME_BUCKETS],
  coredns_health_request_failures_total: ['counter', []],
  coredns_cache_entries: ['gauge', ['server', 'type', 'view', 'zones']],
  coredns_cache_requests_total: ['counter', ['server', 'view', 'zones']],
  coredns_cache_hits_total: ['counter', ['server', 'type', 'view', 'zones']],
  coredns_cache_misses_total: ['counter', ['server', 'view', 'zones']],
  coredns_cache_prefetch_total: ['counter', ['server', 'view', 'zones']],
  coredns_cache_drops_total: ['counter', ['server', 'view', 'zones']],
  coredns_cache_served_stale_total: ['counter', ['server', 'view', 'zones']],
  coredns_cache_evictions_total: ['counter', ['server', 'type', 'view', 'zones']],
  coredns_forward_healthcheck_broken_total: ['counter', []],
  coredns_forward_max_concurrent_rejects_total: ['counter', []],
  coredns_proxy_request_duration_seconds: [
    'histogram',
    ['proxy_name', 'rcode', 'to'],
    TIME_BUCKETS,
  ],
  coredns_proxy_healthcheck_failures_total: ['counter', ['proxy_name', 'to']],
  coredns_proxy_conn_cache_hits_total: ['counter', ['proto', 'proxy_name', 'to']],
  coredns_proxy_conn_cache_misses_total: ['counter', ['proto', 'proxy_name', 'to']],
  coredns_nodecache_setup_errors_total: ['counter', ['errortype']],
  process_cpu_seconds_total: ['counter', []],
  process_resident_memory_bytes: ['gauge', []],
  process_open_fds: ['gauge', []],
  nodejs_eventloop_lag_p99_seconds: ['gauge', []],
};

function checkFamily(e: Exposition, name: string): void {
  const [type, labels, buckets] = DOCUMENTED[name] ?? ['', []];
  assert.equal(e.type.get(name), type, `${name} TYPE`);
  assert.ok((e.help.get(name) ?? '') !== '', `${name} HELP`);
  for (const s of series(e, name)) {
    const names = Object.keys(s.labels)
      .filter((l) => l !== 'le')
      .sort();
    assert.deepEqual(names, labels, `${name} labels of ${s.name}`);
  }
  if (buckets !== undefined) {
    const groups = new Map<string, string[]>();
    for (const s of series(e, name).filter((x) => x.name === `${name}_bucket`)) {
      const key = JSON.stringify({ ...s.labels, le: undefined });
      groups.set(key, [...(groups.get(key) ?? []), s.labels['le'] ?? '']);
    }
    for (const les of groups.values())
      assert.deepEqual(les, [...buckets.map(String), '+Inf'], `${name} buckets`);
  }
}

it('exports every documented family with CoreDNS names, labels and buckets', async (t) => {
  const upstream = await startFakeUpstream((q) =>
    buildResponse({
      query: q.wire,
      ownerCase: 'query',
      rcode: q.qname.startsWith('nx') ? 3 : 0,
      answer: q.qname.startsWith('nx') ? [] : [rr(`${q.qname} 30 IN A 10.0.0.1`)],
    }),
  );
  t.after(() => upstream.stop());
  // Two blocks name the same metrics address: one listener serves both.
  const agent = await startAgent(
    t,
    `cluster.local:0 {\n bind 127.0.0.1\n errors\n cache 30\n prometheus 127.0.0.1:0\n forward . ${upstream.address}\n}\n` +
      `.:0 {\n bind 127.0.0.1\n prometheus 127.0.0.1:0\n health 127.0.0.1:0\n forward . ${upstream.address}\n}\n` +
      `example.org:0 {\n bind 127.0.0.2\n prometheus 127.0.0.1:0\n forward . ${upstream.address}\n}\n`,
  );
  // Every block and health name 127.0.0.1:0: one shared HTTP listener.
  assert.equal(agent.app.services.http.addresses().length, 1);
  const ask = (name: string, extra: Record<string, unknown> = {}) =>
    query({ host: '127.0.0.1', port: agent.port, proto: 'udp', name, ...extra });
  await ask('a.default.svc.cluster.local', { type: 'A' });
  await ask('a.default.svc.cluster.local', { type: 'A' });
  await ask('nx.example.com', { type: 'AAAA', edns: true, dnssecOk: true });
  await query({
    host: '127.0.0.1',
    port: agent.port,
    proto: 'tcp',
    name: 'b.default.svc.cluster.local',
    type: 'SRV',
  });
  const other = agent.app.listeners().find((l) => l.host === '127.0.0.2');
  assert.ok(other !== undefined);
  await query({
    host: '127.0.0.2',
    port: other.port,
    proto: 'udp',
    name: 'not-served.test',
    type: 'A',
  });
  const http = httpPort(agent.app, '127.0.0.1:0');
  await until(
    'one health self-fetch',
    async () => value(await scrape(http), 'coredns_health_request_duration_seconds_count') >= 1,
  );
  const e = await scrape(http);
  for (const name of Object.keys(DOCUMENTED)) checkFamily(e, name);

  const server = `dns://127.0.0.1:0`;
  assert.equal(
    value(e, 'coredns_dns_requests_total', {
      server,
      zone: 'cluster.local.',
      proto: 'udp',
      family: '1',
      type: 'A',
    }),
    2,
  );
  assert.equal(
    value(e, 'coredns_dns_requests_total', { zone: 'cluster.local.', proto: 'tcp', type: 'SRV' }),
    1,
  );
  assert.equal(value(e, 'coredns_dns_requests_total', { zone: '.', type: 'AAAA' }), 1);
  assert.equal(value(e, 'coredns_dns_do_requests_total', { zone: '.' }), 1);
  assert.equal(
    value(e, 'coredns_dns_responses_total', { zone: '.', rcode: 'NXDOMAIN', plugin: 'forward' }),
    1,
  );
  // A name no block serves on 127.0.0.2: REFUSED under zone "dropped", plugin "".
  assert.equal(
    value(e, 'coredns_dns_responses_total', { zone: 'dropped', rcode: 'REFUSED', plugin: '' }),
    1,
  );
  assert.equal(
    value(e, 'coredns_dns_request_duration_seconds_count', { zone: 'cluster.local.' }),
    3,
  );
  assert.equal(
    value(e, 'coredns_plugin_enabled', { server, zone: 'cluster.local.', name: 'cache' }),
    1,
  );
  assert.deepEqual(
    series(e, 'coredns_plugin_enabled', { zone: 'cluster.local.' }).map((s) => s.labels['name']),
    ['prometheus', 'errors', 'cache', 'forward'],
  );
  assert.deepEqual(
    series(e, 'coredns_nodecache_setup_errors_total').map((s) => [s.labels['errortype'], s.value]),
    [
      ['iptables', 0],
      ['iptables_lock', 0],
      ['interface_add', 0],
      ['interface_check', 0],
      ['configmap', 0],
    ],
  );
  for (const zero of [
    'coredns_panics_total',
    'coredns_reload_failed_total',
    'coredns_forward_healthcheck_broken_total',
    'coredns_forward_max_concurrent_rejects_total',
    'coredns_health_request_failures_total',
  ])
    assert.equal(value(e, zero), 0, zero);
  assert.ok(value(e, 'coredns_health_request_duration_seconds_count') >= 1);
  assert.equal(value(e, 'coredns_build_info'), 1);
  agent.app.setSetupErrors({
    iptables: 2,
    iptables_lock: 1,
    interface_add: 0,
    interface_check: 0,
    configmap: 0,
  });
  const after = await scrape(httpPort(agent.app, '127.0.0.1:0'));
  assert.equal(value(after, 'coredns_nodecache_setup_errors_total', { errortype: 'iptables' }), 2);
});
