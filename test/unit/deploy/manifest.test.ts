// deploy/: the iptables-mode base keeps what makes the upstream manifest work (hostNetwork, the
// xtables lock, node-cache's args, the probes); each kustomize variant, after the deploy-time
// sed, is valid against the Kubernetes API schemas (kubernetes-models) and its Corefile is
// served by this agent's own template, parser and planner.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseFlags } from '../../../src/cli/flags.ts';
import { FLAG_SPECS } from '../../../src/cli/node-cache-flags.ts';
import { toCliAction } from '../../../src/cli/options.ts';
import type { HttpAddress } from '../../../src/http/address.ts';
import type { PrometheusConfig } from '../../../src/plugins/prometheus/setup.ts';
import { at, DEPLOY, find, type Obj, planServed, yamlDocs } from './render.ts';
import { rendered, VARIANTS, type Variant } from './variants.ts';

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/DaemonSet': DaemonSet,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
};

/** Throws on any object the Kubernetes schemas reject, or of a kind not checked here. */
export function validateObjects(docs: readonly Obj[]): void {
  for (const d of docs) {
    const Model = MODELS[`${d['apiVersion']}/${d['kind']}`];
    assert.ok(Model, `no schema check for ${d['apiVersion']} ${d['kind']}`);
    new Model(d as never).validate();
  }
}

const pod = (docs: readonly Obj[]): Obj =>
  at(find(docs, 'DaemonSet', 'node-local-dns'), 'spec', 'template', 'spec') as Obj;
const container = (docs: readonly Obj[]): Obj => at(pod(docs), 'containers', 0) as Obj;
const args = (docs: readonly Obj[]): string[] => container(docs)['args'] as string[];

describe('deploy/nodelocaldns.yaml (iptables-mode base)', () => {
  const docs = yamlDocs(readFileSync(join(DEPLOY, 'nodelocaldns.yaml'), 'utf8'));

  it('keeps the upstream objects', () => {
    assert.deepEqual(
      docs.map((d) => `${d['kind']}/${(d['metadata'] as Obj)['name']}`),
      [
        'ServiceAccount/node-local-dns',
        'Service/kube-dns-upstream',
        'ConfigMap/node-local-dns',
        'DaemonSet/node-local-dns',
        'Service/node-local-dns',
      ],
    );
  });

  it('runs on the host network without cluster DNS, with NET_ADMIN and the host xtables lock', () => {
    const p = pod(docs);
    assert.equal(p['hostNetwork'], true);
    assert.equal(p['dnsPolicy'], 'Default');
    assert.deepEqual(at(container(docs), 'securityContext', 'capabilities', 'add'), ['NET_ADMIN']);
    const lock = (p['volumes'] as Obj[]).find((v) => v['name'] === 'xtables-lock');
    assert.equal(at(lock, 'hostPath', 'path'), '/run/xtables.lock');
    assert.ok(
      (container(docs)['volumeMounts'] as Obj[]).some(
        (m) => m['mountPath'] === '/run/xtables.lock',
      ),
    );
  });

  it("keeps node-cache's args and placeholders, plus metrics on the node IP", () => {
    assert.deepEqual(args(docs).slice(0, 8), [
      '-localip',
      '__PILLAR__LOCAL__DNS__,__PILLAR__DNS__SERVER__',
      '-conf',
      '/etc/Corefile',
      '-upstreamsvc',
      'kube-dns-upstream',
      '-pidfile',
      '/tmp/node-cache.pid',
    ]);
    assert.deepEqual(args(docs).slice(8), ['-prometheus-listen-address', '$(NODE_IP):9253']);
    const env = (container(docs)['env'] as Obj[]).find((e) => e['name'] === 'NODE_IP');
    assert.equal(at(env, 'valueFrom', 'fieldRef', 'fieldPath'), 'status.hostIP');
  });

  it('probes /health and /ready on the local IP, surges one pod at a time, bounds memory', () => {
    const c = container(docs);
    assert.deepEqual(at(c, 'livenessProbe', 'httpGet'), {
      host: '__PILLAR__LOCAL__DNS__',
      path: '/health',
      port: 8080,
    });
    assert.deepEqual(at(c, 'readinessProbe', 'httpGet'), {
      host: '__PILLAR__LOCAL__DNS__',
      path: '/ready',
      port: 8181,
    });
    // hostNetwork turns containerPorts into hostPorts, which would block the surge pod.
    assert.equal(c['ports'], undefined);
    assert.deepEqual(at(find(docs, 'DaemonSet', 'node-local-dns'), 'spec', 'updateStrategy'), {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    assert.equal(at(c, 'resources', 'requests', 'memory'), '128Mi');
    assert.equal(at(c, 'resources', 'limits', 'memory'), '256Mi');
    // The stated heap limit that bounds a cold-name storm (bench/README.md, "Memory").
    const nodeOptions = (c['env'] as Obj[]).find((e) => e['name'] === 'NODE_OPTIONS');
    assert.equal(nodeOptions?.['value'], '--max-old-space-size=64');
    assert.ok(
      (pod(docs)['terminationGracePeriodSeconds'] as number) > 25,
      'grace > agent stop bound',
    );
  });
});

describe('deploy/kustomize variants, placeholders filled by the upstream sed lines', () => {
  for (const v of VARIANTS) {
    describe(v.dir, () => {
      const docs = rendered(v);

      it('passes the Kubernetes API schemas, with no placeholder left for the sed', () => {
        validateObjects(docs);
        const text = JSON.stringify(docs);
        for (const p of ['__PILLAR__LOCAL__DNS', '__PILLAR__DNS__DOMAIN__'])
          assert.ok(!text.includes(p), `${p} filled`);
      });

      it('passes args the agent accepts unchanged', () => {
        assert.equal(args(docs)[1], v.localIps);
        const action = toCliAction(parseFlags(args(docs), FLAG_SPECS));
        assert.equal(action.kind, 'run');
      });

      it('serves a Corefile that plans: metrics on the node IP, status on loopback only', () => {
        const blocks = planServed(docs, v.nodeIp);
        assert.deepEqual(
          blocks.map((b) => b.zones[0]),
          ['cluster.local.', 'in-addr.arpa.', 'ip6.arpa.', '.'],
        );
        const localIps = v.localIps.split(',');
        for (const b of blocks) {
          assert.deepEqual(b.listen, localIps, `${b.zones[0]} binds the local IPs only`);
          const prom = b.plugins.find((p) => p.definition.name === 'prometheus')
            ?.config as PrometheusConfig;
          assert.equal(prom.address.key, `${v.nodeIp}|9253`);
          assert.ok(!localIps.includes(prom.address.host), 'metrics not on a pod-facing IP');
          assert.equal((prom.status as HttpAddress).key, v.status);
        }
        const health = blocks[0]?.plugins.find((p) => p.definition.name === 'health')?.config as {
          address: HttpAddress;
        };
        assert.equal(health.address.key, v.health);
        const cache = blocks[0]?.plugins.find((p) => p.definition.name === 'cache')?.config as {
          serveStaleMs: number;
          persistPath: string | undefined;
        };
        assert.equal(cache.serveStaleMs, 3_600_000);
        assert.equal(cache.persistPath, '/var/lib/nodelocaldns/cluster.cache');
      });
    });
  }

  it('the schema check catches a wrong type (so the passes above mean something)', () => {
    const docs = rendered(VARIANTS[0] as Variant);
    (pod(docs)['terminationGracePeriodSeconds'] as unknown) = 'thirty';
    assert.throws(() => validateObjects(docs), /terminationGracePeriodSeconds must be integer/);
  });
});
