// The node agent's config sync under faults outside the template: the kube-dns ConfigMap folder
// disappearing and coming back, and the resolv.conf the `.` forward reads going missing or
// empty. Real files in a temp folder; the sync is polled by hand instead of on its timer.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it, type TestContext } from 'node:test';
import { planCorefile } from '../../../src/config/plan.ts';
import { ConfigSync } from '../../../src/node/config-sync.ts';
import { SetupErrors } from '../../../src/node/setup-errors.ts';
import { PLUGINS } from '../../../src/plugins/registry.ts';
import { memoryLogger } from '../../../src/util/log.ts';
import { NODE_CACHE_TEST_TEMPLATE } from './sample-template.ts';

const STUBS = '{"corp.example": ["169.254.53.54"]}';

async function rig(t: TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'nld-sync-faults-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cm = join(dir, 'kube-dns');
  const resolv = join(dir, 'resolv.conf');
  await writeFile(resolv, 'nameserver 127.0.0.1\n');
  await writeFile(join(dir, 'Corefile.base'), NODE_CACHE_TEST_TEMPLATE);
  const errors = new SetupErrors();
  const log = memoryLogger();
  const changes: string[] = [];
  const make = (): ConfigSync =>
    new ConfigSync({
      baseCorefile: join(dir, 'Corefile.base'),
      corefilePath: join(dir, 'Corefile'),
      kubeDnsConfigDir: cm,
      params: {
        localIps: ['169.254.20.10'],
        clusterDns: '169.254.100.20',
        resolvConf: resolv,
        prometheusEndpoint: ':9253',
        dnsPort: 53,
      },
      intervalMs: 60_000,
      validate: (c) => planCorefile(c, PLUGINS, { defaultPort: 53 }),
      errors,
      log,
      onChange: (text) => {
        changes.push(text);
        return Promise.resolve();
      },
    });
  const conf = (): Promise<string> => readFile(join(dir, 'Corefile'), 'utf8');
  return { dir, cm, resolv, errors, log, changes, make, conf };
}

it('the ConfigMap folder disappearing reads as an empty ConfigMap; its return brings the stub domains back', async (t) => {
  const r = await rig(t);
  await mkdir(r.cm);
  await writeFile(join(r.cm, 'stubDomains'), STUBS);
  const sync = r.make();
  t.after(() => sync.stop());
  await sync.start();
  assert.match(await r.conf(), /corp\.example:53 \{/);

  // kubelet removes the volume's folder (ConfigMap deleted): what kube-dns does, defaults.
  await rm(r.cm, { recursive: true });
  await sync.poll();
  assert.equal(r.changes.length, 1, 'one reload');
  assert.doesNotMatch(await r.conf(), /corp\.example/);
  assert.match(await r.conf(), new RegExp(`forward \\. ${r.resolv} \\{`));
  await sync.poll();
  assert.equal(r.changes.length, 1, 'a folder still missing changes nothing');

  await mkdir(r.cm);
  await writeFile(join(r.cm, 'stubDomains'), STUBS);
  await sync.poll();
  assert.equal(r.changes.length, 2);
  assert.match(await r.conf(), /corp\.example:53 \{/);
  assert.equal(r.errors.snapshot().configmap, 0, 'none of this is an error');
});

it('a ConfigMap update refused while resolv.conf is missing or empty goes in once the file is back', async (t) => {
  const r = await rig(t);
  await mkdir(r.cm);
  await writeFile(join(r.cm, 'upstreamNameservers'), '["169.254.53.53"]');
  const sync = r.make();
  t.after(() => sync.stop());
  await sync.start();
  const served = await r.conf();
  assert.match(served, /forward \. 169\.254\.53\.53\n/);

  // The update points `.` back at resolv.conf, which is gone: refused, counted once.
  await rm(r.resolv);
  await writeFile(join(r.cm, 'upstreamNameservers'), '');
  await writeFile(join(r.cm, 'stubDomains'), STUBS);
  await sync.poll();
  await sync.poll();
  assert.equal(r.errors.snapshot().configmap, 1, 'the same refusal counted once');
  assert.equal(await r.conf(), served, 'the last good Corefile keeps serving');
  assert.equal(r.changes.length, 0);
  assert.ok(r.log.lines.some((l) => /not an IP address or file/.test(l)));

  // Empty is refused too (a new reason, counted once more).
  await writeFile(r.resolv, '# no nameserver lines\n');
  await sync.poll();
  await sync.poll();
  assert.equal(r.errors.snapshot().configmap, 2);
  assert.ok(r.log.lines.some((l) => /no nameservers found/.test(l)));
  assert.equal(r.changes.length, 0);

  // The file is back: the next poll renders the waiting update, with nothing else changed.
  await writeFile(r.resolv, 'nameserver 127.0.0.1\n');
  await sync.poll();
  assert.equal(r.changes.length, 1, 'the update went in without another ConfigMap edit');
  assert.match(await r.conf(), /corp\.example:53 \{/);
  assert.match(await r.conf(), new RegExp(`forward \\. ${r.resolv} \\{`));
  await sync.poll();
  assert.equal(r.changes.length, 1, 'and only once');
  assert.equal(r.errors.snapshot().configmap, 2);
});

it('at start, a missing resolv.conf with no last good Corefile stops the agent with the reason', async (t) => {
  const r = await rig(t);
  await rm(r.resolv);
  await assert.rejects(r.make().start(), (e: Error) => {
    assert.match(e.message, /no usable config: .*not an IP address or file/);
    return true;
  });
});
