import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  FAILING_WINDOW_MS,
  UpstreamHealth,
  type UpstreamReport,
} from '../../../../src/plugins/prometheus/upstream-health.ts';

const exposition = (a: number, b: number, broken: number): string =>
  [
    '# TYPE coredns_proxy_healthcheck_failures_total counter',
    `coredns_proxy_healthcheck_failures_total{proxy_name="forward",to="10.96.0.11:53"} ${a}`,
    `coredns_proxy_healthcheck_failures_total{proxy_name="forward",to="[2001:db8::1]:53"} ${b}`,
    `coredns_forward_healthcheck_broken_total ${broken}`,
    'coredns_proxy_conn_cache_hits_total{proto="udp",proxy_name="forward",to="10.96.0.11:53"} 7',
  ].join('\n');

const V4 = '10.96.0.11:53';
const of = (r: UpstreamReport, to = V4) => r.upstreams.find((u) => u.to === to);

it('marks an upstream failing while its health-check failures rise, for the window after', () => {
  let now = 1_000_000;
  const health = new UpstreamHealth(() => now);
  // The first look is the baseline: old failures say nothing about now.
  let r = health.observe(exposition(4, 0, 1));
  assert.deepEqual(
    [of(r)?.failing, of(r)?.healthcheckFailures, of(r, '[2001:db8::1]:53')?.failing],
    [false, 4, false],
  );
  assert.equal(r.allDown, false);
  now += 1000;
  r = health.observe(exposition(6, 0, 1));
  assert.deepEqual([of(r)?.failing, of(r)?.lastFailureSecondsAgo], [true, 0]);
  assert.deepEqual(of(r, '[2001:db8::1]:53')?.lastFailureSecondsAgo, null);
  now += 1000;
  r = health.observe(exposition(6, 0, 2));
  assert.equal(r.allDown, true);
  assert.equal(of(r)?.failing, true, 'still within the window');
  assert.equal(of(r)?.lastFailureSecondsAgo, 1);
  now += FAILING_WINDOW_MS;
  r = health.observe(exposition(6, 0, 2));
  assert.equal(of(r)?.failing, false, 'recovered once the counter stops rising');
  assert.equal(r.allDown, false);
});

it('sums an upstream over forward blocks and ignores other families', () => {
  const health = new UpstreamHealth(() => 0);
  const text = `${exposition(1, 0, 0)}\ncoredns_proxy_healthcheck_failures_total{proxy_name="forward",to="10.96.0.11:53"} 2`;
  assert.equal(of(health.observe(text))?.healthcheckFailures, 3);
  assert.equal(health.observe('').upstreams.length, 0);
});
