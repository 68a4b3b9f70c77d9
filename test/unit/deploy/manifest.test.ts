// deploy/nodelocaldns.yaml keeps what makes the upstream manifest work (hostNetwork, the
// xtables lock, node-cache's args, the probes) and its Corefile loads with this agent's parser.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseFlags } from '../../../src/cli/flags.ts';
import { FLAG_SPECS } from '../../../src/cli/node-cache-flags.ts';
import { toCliAction } from '../../../src/cli/options.ts';
import { planCorefile } from '../../../src/config/plan.ts';
import { parseCorefile } from '../../../src/corefile/parse.ts';
import { PLUGINS } from '../../../src/plugins/registry.ts';

type Obj = Record<string, unknown>;
const docs = parseAllDocuments(
  readFileSync(new URL('../../../deploy/nodelocaldns.yaml', import.meta.url), 'utf8'),
).map((d) => d.toJS() as Obj);
const byKind = (kind: string, name: string): Obj => {
  const found = docs.find((d) => d['kind'] === kind && (d['metadata'] as Obj)['name'] === name);
  assert.ok(found, `${kind}/${name} is in the manifest`);
  return found;
};
const at = (o: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], o);

const fill = (text: string): string =>
  text
    .replaceAll('__PILLAR__DNS__DOMAIN__', 'cluster.local')
    .replaceAll('__PILLAR__LOCAL__DNS__', '169.254.20.10')
    .replaceAll('__PILLAR__DNS__SERVER__', '10.96.0.10')
    .replaceAll('__PILLAR__CLUSTER__DNS__', '10.96.0.11')
    .replaceAll('__PILLAR__UPSTREAM__SERVERS__', '/etc/resolv.conf');

describe('deploy/nodelocaldns.yaml', () => {
  const pod = at(byKind('DaemonSet', 'node-local-dns'), 'spec', 'template', 'spec') as Obj;
  const container = at(pod, 'containers', 0) as Obj;

  it('runs on the host network without cluster DNS, with NET_ADMIN and the host xtables lock', () => {
    assert.equal(pod['hostNetwork'], true);
    assert.equal(pod['dnsPolicy'], 'Default');
    assert.deepEqual(at(container, 'securityContext', 'capabilities', 'add'), ['NET_ADMIN']);
    const lock = (pod['volumes'] as Obj[]).find((v) => v['name'] === 'xtables-lock');
    assert.equal(at(lock, 'hostPath', 'path'), '/run/xtables.lock');
    assert.ok(
      (container['volumeMounts'] as Obj[]).some((m) => m['mountPath'] === '/run/xtables.lock'),
    );
  });

  it('passes node-cache args that the agent accepts unchanged', () => {
    const args = (container['args'] as string[]).map(fill);
    const action = toCliAction(parseFlags(args, FLAG_SPECS));
    assert.equal(action.kind, 'run');
    assert.deepEqual(args.slice(0, 2), ['-localip', '169.254.20.10,10.96.0.10']);
  });

  it('probes /health for liveness and /ready for readiness on the local IP', () => {
    assert.deepEqual(at(container, 'livenessProbe', 'httpGet'), {
      host: '__PILLAR__LOCAL__DNS__',
      path: '/health',
      port: 8080,
    });
    assert.deepEqual(at(container, 'readinessProbe', 'httpGet'), {
      host: '__PILLAR__LOCAL__DNS__',
      path: '/ready',
      port: 8181,
    });
    assert.ok(
      (container['ports'] as Obj[]).some(
        (p) => p['containerPort'] === 9253 && p['name'] === 'metrics',
      ),
    );
  });

  it('ships a Corefile that loads, with serve_stale and a snapshot for the cluster zone', () => {
    const corefile = at(byKind('ConfigMap', 'node-local-dns'), 'data', 'Corefile') as string;
    const blocks = planCorefile(parseCorefile(fill(corefile), 'Corefile', { env: {} }), PLUGINS, {
      defaultPort: 53,
    });
    assert.deepEqual(
      blocks.map((b) => b.zones[0]),
      ['cluster.local.', 'in-addr.arpa.', 'ip6.arpa.', '.'],
    );
    const cluster = blocks[0]?.plugins.find((p) => p.definition.name === 'cache')?.config as {
      serveStaleMs: number;
      persistPath: string | undefined;
    };
    assert.equal(cluster.serveStaleMs, 3_600_000);
    assert.equal(cluster.persistPath, '/var/lib/nodelocaldns/cluster.cache');
    const snapshot = (pod['volumes'] as Obj[]).find((v) => v['name'] === 'cache-snapshot');
    assert.equal(at(snapshot, 'hostPath', 'path'), '/var/lib/nodelocaldns');
  });
});
