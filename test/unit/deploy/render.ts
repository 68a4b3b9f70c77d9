// Offline stand-ins for `kubectl kustomize` and the deploy-time sed, for the manifest tests.
// The kustomize part understands exactly what deploy/kustomize uses (resources: files and
// directories; patches: JSON 6902 files with a kind/name target) and refuses any other key, so
// an overlay cannot silently use a feature this renderer would ignore. (`kubectl kustomize`
// renders the same overlays identically; it is not required on the test machine.)

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { type PlannedBlock, planCorefile } from '../../../src/config/plan.ts';
import { parseCorefile } from '../../../src/corefile/parse.ts';
import { applyTemplate } from '../../../src/corefile/template.ts';
import { PLUGINS } from '../../../src/plugins/registry.ts';

export type Obj = Record<string, unknown>;
export const REPO = new URL('../../../', import.meta.url).pathname;
export const DEPLOY = join(REPO, 'deploy');

export function yamlDocs(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as Obj | null)
    .filter((d): d is Obj => d !== null);
}

interface PatchOp {
  op: 'add' | 'replace' | 'remove' | 'test';
  path: string;
  value?: unknown;
}

/** RFC 6902 on a plain object (the ops the overlays use), in place. */
export function applyJson6902(doc: Obj, ops: readonly PatchOp[]): void {
  for (const { op, path, value } of ops) {
    const keys = path
      .split('/')
      .slice(1)
      .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    assert.ok(last !== undefined, `patch path '${path}'`);
    let parent: unknown = doc;
    for (const k of keys) {
      parent = (parent as Record<string, unknown>)[k];
      assert.ok(typeof parent === 'object' && parent !== null, `patch path '${path}' exists`);
    }
    const target = parent as Record<string, unknown> & unknown[];
    const index = Array.isArray(target) ? (last === '-' ? target.length : Number(last)) : -1;
    if (op === 'test') assert.deepEqual(target[last], value, `test op at ${path}`);
    else if (op === 'remove') {
      assert.ok(last in target, `remove: ${path} exists`);
      if (Array.isArray(target)) target.splice(index, 1);
      else delete target[last];
    } else if (op === 'add' && Array.isArray(target)) target.splice(index, 0, value);
    else {
      if (op === 'replace') assert.ok(last in target, `replace: ${path} exists`);
      target[last] = value;
    }
  }
}

const KUSTOMIZATION_KEYS = new Set(['apiVersion', 'kind', 'resources', 'patches']);

/** `kustomize build DIR` for the subset described above. */
export function kustomize(dir: string): Obj[] {
  const k = parseYaml(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Obj;
  for (const key of Object.keys(k))
    assert.ok(KUSTOMIZATION_KEYS.has(key), `${dir}: kustomization key '${key}' is not rendered`);
  const docs: Obj[] = [];
  for (const r of (k['resources'] ?? []) as string[]) {
    const path = join(dir, r);
    if (statSync(path).isDirectory()) docs.push(...kustomize(path));
    else docs.push(...yamlDocs(readFileSync(path, 'utf8')));
  }
  for (const p of (k['patches'] ?? []) as Array<{ path: string; target: Obj }>) {
    const matches = docs.filter(
      (d) => d['kind'] === p.target['kind'] && (d['metadata'] as Obj)['name'] === p.target['name'],
    );
    assert.equal(matches.length, 1, `${dir}: patch ${p.path} matches one object`);
    const ops = parseYaml(readFileSync(join(dir, p.path), 'utf8')) as PatchOp[];
    applyJson6902(matches[0] as Obj, ops);
  }
  return docs;
}

export interface FillOptions {
  mode?: 'iptables' | 'ipvs';
  localDns?: string;
  localDns6?: string;
  dnsServer?: string;
}

export const KUBE_DNS_IP = '10.96.0.10';

/** Runs deploy/fill-placeholders.sh (the upstream docs' sed lines) on YAML text. */
export function fillPlaceholders(yamlText: string, o: FillOptions = {}): string {
  const args = ['--mode', o.mode ?? 'iptables', '--dns-server', o.dnsServer ?? KUBE_DNS_IP];
  args.push('--local-dns', o.localDns ?? '169.254.20.10', '--domain', 'cluster.local');
  if (o.localDns6 !== undefined) args.push('--local-dns6', o.localDns6);
  return execFileSync(join(DEPLOY, 'fill-placeholders.sh'), [...args, '-'], {
    input: yamlText,
    encoding: 'utf8',
  });
}

/** Objects back to YAML-ish text for the sed: JSON is YAML, one document per object. */
export const asYaml = (docs: readonly Obj[]): string =>
  docs.map((d) => JSON.stringify(d)).join('\n---\n');

export function find(docs: readonly Obj[], kind: string, name: string): Obj {
  const found = docs.find((d) => d['kind'] === kind && (d['metadata'] as Obj)['name'] === name);
  assert.ok(found, `${kind}/${name} is in the manifest`);
  return found;
}

export const at = (o: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], o);

/**
 * The ConfigMap's Corefile as the agent serves it: the run-time placeholders filled by the
 * agent's own template code from the container's -localip and -prometheus-listen-address (with
 * the downward-API NODE_IP expanded as the kubelet does), then parsed and planned.
 */
export function planServed(docs: readonly Obj[], nodeIp: string): PlannedBlock[] {
  const corefile = at(find(docs, 'ConfigMap', 'node-local-dns'), 'data', 'Corefile') as string;
  const args = at(
    find(docs, 'DaemonSet', 'node-local-dns'),
    'spec',
    'template',
    'spec',
    'containers',
    0,
    'args',
  ) as string[];
  const arg = (flag: string): string => args[args.indexOf(flag) + 1] ?? '';
  const model = applyTemplate(parseCorefile(corefile, 'Corefile.base', { env: {} }), {
    localIps: arg('-localip').split(','),
    clusterDns: '10.96.0.11',
    upstreamNameservers: [],
    resolvConf: '/etc/resolv.conf',
    prometheusEndpoint: arg('-prometheus-listen-address').replaceAll('$(NODE_IP)', nodeIp),
    dnsPort: 53,
    stubDomains: new Map(),
  });
  return planCorefile(model, PLUGINS, { defaultPort: 53 });
}
