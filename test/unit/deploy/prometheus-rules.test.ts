// deploy/prometheus-rules.yaml: a valid PrometheusRule (the prometheus-operator schema from
// @kubernetes-models), and every metric its expressions name is one the agent exports (read
// from a real /metrics scrape) or one of the few kube-state-metrics series it relies on.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { startFakeUpstream } from '../../helpers/fake-upstream.ts';
import { buildResponse } from '../../helpers/rr.ts';
import { startAgent } from '../../integration/agent-harness.ts';
import { httpPort, scrape } from '../../integration/observe-helpers.ts';
import { DEPLOY, type Obj, yamlDocs } from './render.ts';

/** Not ours: kube-state-metrics. */
const EXTERNAL = new Set(['kube_pod_status_ready']);
const HISTOGRAM_PARTS = /_(bucket|sum|count)$/;

/** Metric names in a PromQL expression (the project's and kube-state-metrics' prefixes). */
export function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(?:coredns|process|nodejs|kube)_[a-z0-9_]+/g)].map((m) => m[0]);
}

interface Rule {
  alert: string;
  expr: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

const doc = yamlDocs(readFileSync(join(DEPLOY, 'prometheus-rules.yaml'), 'utf8'))[0] as Obj;
const rules = ((doc['spec'] as { groups: Array<{ rules: Rule[] }> }).groups[0]?.rules ??
  []) as Rule[];

describe('deploy/prometheus-rules.yaml', () => {
  it('is a valid PrometheusRule with the alerts the guide describes', () => {
    new PrometheusRule(doc as never).validate();
    assert.deepEqual(
      rules.map((r) => r.alert),
      [
        'NodeLocalDNSServfailRate',
        'NodeLocalDNSUpstreamUnhealthy',
        'NodeLocalDNSAllUpstreamsDown',
        'NodeLocalDNSSetupErrors',
        'NodeLocalDNSReloadFailed',
        'NodeLocalDNSNotReady',
        'NodeLocalDNSMemoryHigh',
      ],
    );
    for (const r of rules) {
      assert.match(r.labels.severity, /^(warning|critical)$/, r.alert);
      assert.ok(r.annotations.summary !== '' && r.annotations.description !== '', r.alert);
    }
    const guide = readFileSync(join(DEPLOY, '..', 'docs', 'operations.md'), 'utf8');
    for (const r of rules)
      assert.ok(guide.includes(r.alert), `docs/operations.md explains ${r.alert}`);
  });

  it('names only metrics the agent exports', async (t) => {
    const upstream = await startFakeUpstream((q) => buildResponse({ query: q.wire }));
    t.after(() => upstream.stop());
    const agent = await startAgent(
      t,
      `.:0 {\n bind 127.0.0.1\n cache 30\n prometheus 127.0.0.1:0\n forward . ${upstream.address}\n}\n`,
    );
    const exported = new Set((await scrape(httpPort(agent.app, '127.0.0.1:0'))).type.keys());
    assert.ok(exported.has('coredns_dns_responses_total'), 'the scrape has the usual families');
    assert.ok(!exported.has('coredns_dns_response_total'), 'and not a misspelt one');
    for (const r of rules) {
      const names = metricNames(r.expr);
      assert.ok(names.length > 0, `${r.alert} names a metric`);
      for (const name of names) {
        const family = name.replace(HISTOGRAM_PARTS, '');
        assert.ok(
          exported.has(family) || exported.has(name) || EXTERNAL.has(name),
          `${r.alert}: ${name} is exported`,
        );
      }
    }
  });
});
