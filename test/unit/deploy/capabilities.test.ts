// The container needs only NET_ADMIN (issue 12, security): in the plain manifest and in every
// kustomize variant (which the Helm chart renders identically, helm.test.ts), each container
// adds NET_ADMIN and nothing else, and no pod asks for privileged mode or the host's PID or
// IPC namespace. The agent runs as root in the image, so NET_BIND_SERVICE is not needed.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { at, DEPLOY, find, type Obj, yamlDocs } from './render.ts';
import { rendered, VARIANTS } from './variants.ts';

function checkPod(docs: readonly Obj[]): void {
  const pod = at(find(docs, 'DaemonSet', 'node-local-dns'), 'spec', 'template', 'spec') as Obj;
  assert.equal(pod['hostPID'] ?? false, false, 'no host PID namespace');
  assert.equal(pod['hostIPC'] ?? false, false, 'no host IPC namespace');
  const containers = [
    ...((pod['initContainers'] as Obj[] | undefined) ?? []),
    ...(pod['containers'] as Obj[]),
  ];
  assert.ok(containers.length > 0);
  for (const c of containers) {
    assert.deepEqual(
      c['securityContext'],
      { capabilities: { add: ['NET_ADMIN'] } },
      `${String(c['name'])}: NET_ADMIN only, nothing privileged`,
    );
  }
}

describe('capabilities', () => {
  it('deploy/nodelocaldns.yaml asks for NET_ADMIN only', () => {
    checkPod(yamlDocs(readFileSync(join(DEPLOY, 'nodelocaldns.yaml'), 'utf8')));
  });
  for (const v of VARIANTS) {
    it(`the ${v.dir} variant asks for NET_ADMIN only`, () => {
      checkPod(rendered(v));
    });
  }
});
