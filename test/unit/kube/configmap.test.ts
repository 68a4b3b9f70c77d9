import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { planCorefile } from '../../../src/config/plan.ts';
import type { Corefile } from '../../../src/corefile/model.ts';
import {
  ConfigMapError,
  isNameserver,
  parseKubeDnsConfig,
  readConfigDir,
} from '../../../src/kube/configmap.ts';
import { ConfigSync, type ConfigSyncOptions } from '../../../src/node/config-sync.ts';
import { SetupErrors } from '../../../src/node/setup-errors.ts';
import { PLUGINS } from '../../../src/plugins/registry.ts';
import { memoryLogger } from '../../../src/util/log.ts';
import { NODE_CACHE_TEST_TEMPLATE } from './sample-template.ts';

const files = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));

describe('kube-dns ConfigMap', () => {
  it('parses stubDomains and upstreamNameservers, sorted by domain', () => {
    const c = parseKubeDnsConfig(
      files({
        stubDomains: '{"b.com": ["1.2.3.4:10053"], "a.com": ["[fd00::1]:53", "fd00::2"]}',
        upstreamNameservers: '["8.8.8.8", "8.8.4.4:53"]',
        federations: '{}',
        other: 'ignored',
      }),
    );
    assert.deepEqual(
      [...c.stubDomains],
      [
        ['a.com', ['[fd00::1]:53', 'fd00::2']],
        ['b.com', ['1.2.3.4:10053']],
      ],
    );
    assert.deepEqual(c.upstreamNameservers, ['8.8.8.8', '8.8.4.4:53']);
    assert.deepEqual(parseKubeDnsConfig(files({})).upstreamNameservers, []);
  });

  it('rejects invalid input as a whole', () => {
    for (const bad of [
      { stubDomains: '{not json' },
      { stubDomains: '["a"]' },
      { stubDomains: '{"Bad_Domain": ["1.2.3.4"]}' },
      { stubDomains: '{"a.com": ["ns.example.com"]}' }, // an FQDN crash-looped node-cache (kubernetes/dns#539)
      { stubDomains: '{"a.com": []}' },
      { upstreamNameservers: '["1.1.1.1","2.2.2.2","3.3.3.3","4.4.4.4"]' },
      { upstreamNameservers: '["1.1.1.1:99999"]' },
      { upstreamNameservers: '"1.1.1.1"' },
    ]) {
      assert.throws(() => parseKubeDnsConfig(files(bad)), ConfigMapError, JSON.stringify(bad));
    }
    assert.equal(isNameserver('fd00::1:53'), true, 'a bare IPv6 address');
    assert.equal(isNameserver('[169.254.1.1]:53'), false);
  });

  it('reads top-level non-dot files through ConfigMap-style symlinks, with a version hash', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'nld-cm-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    assert.equal((await readConfigDir(join(dir, 'missing'))).files.size, 0);
    await mkdir(join(dir, '..data'));
    await writeFile(join(dir, '..data', 'upstreamNameservers'), '["1.1.1.1"]');
    await symlink('..data/upstreamNameservers', join(dir, 'upstreamNameservers'));
    await mkdir(join(dir, 'subdir'));
    const a = await readConfigDir(dir);
    assert.deepEqual([...a.files.keys()], ['upstreamNameservers']);
    await writeFile(join(dir, '..data', 'upstreamNameservers'), '["2.2.2.2"]');
    assert.notEqual((await readConfigDir(dir)).version, a.version);
  });
});

function planWithPlugins(corefile: Corefile): void {
  planCorefile(corefile, PLUGINS, { defaultPort: 53 });
}

/** The sync of the template at DIR/Corefile.base into DIR/Corefile, planned with every plugin. */
function syncOptions(dir: string, kubeDnsConfigDir: string | undefined): ConfigSyncOptions {
  return {
    baseCorefile: join(dir, 'Corefile.base'),
    corefilePath: join(dir, 'Corefile'),
    kubeDnsConfigDir,
    params: {
      localIps: ['169.254.20.10'],
      clusterDns: '169.254.100.20',
      resolvConf: join(dir, 'resolv.conf'),
      prometheusEndpoint: ':9253',
      dnsPort: 53,
    },
    intervalMs: 60_000,
    validate: planWithPlugins,
    errors: new SetupErrors(),
    log: memoryLogger(),
    onChange: () => Promise.resolve(),
  };
}

describe('config sync', () => {
  it('renders at start, follows template and ConfigMap changes, keeps the last good config on bad input', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'nld-sync-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const cm = join(dir, 'kube-dns');
    await mkdir(cm);
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    // invalid at start: counted, and still picked up once fixed (node-cache stopped polling)
    await writeFile(join(cm, 'upstreamNameservers'), '["not-an-ip"]');
    await writeFile(join(dir, 'Corefile.base'), NODE_CACHE_TEST_TEMPLATE);
    const errors = new SetupErrors();
    const changes: string[] = [];
    const sync = new ConfigSync({
      ...syncOptions(dir, cm),
      errors,
      onChange: (text) => {
        changes.push(text);
        return Promise.resolve();
      },
    });
    t.after(() => sync.stop());
    await sync.start();
    assert.equal(errors.snapshot().configmap, 1);
    const first = await readFile(join(dir, 'Corefile'), 'utf8');
    assert.ok(first.includes(`forward . ${join(dir, 'resolv.conf')} {`), first);
    assert.equal(changes.length, 0, 'no reload for the first render');

    await sync.poll();
    assert.equal(errors.snapshot().configmap, 1, 'an unchanged bad ConfigMap is counted once');

    await writeFile(join(cm, 'upstreamNameservers'), '["169.254.53.53"]');
    await writeFile(join(cm, 'stubDomains'), '{"corp.example": ["169.254.53.54"]}');
    await sync.poll();
    assert.equal(changes.length, 1);
    assert.match(changes[0] ?? '', /forward \. 169\.254\.53\.53\n/);
    assert.match(
      changes[0] ?? '',
      /corp\.example:53 \{\n {4}errors\n {4}cache 30\n {4}bind 169\.254\.20\.10\n {4}forward \. 169\.254\.53\.54\n\}/,
    );

    // a broken template keeps the last good Corefile
    await writeFile(join(dir, 'Corefile.base'), '. {\n  forward . {\n');
    await sync.poll();
    assert.equal(errors.snapshot().configmap, 2);
    assert.equal(await readFile(join(dir, 'Corefile'), 'utf8'), changes[0]);

    // template edit (node-cache's test swaps loop for template) is followed
    await writeFile(join(dir, 'Corefile.base'), NODE_CACHE_TEST_TEMPLATE.replace('loop', 'log'));
    await sync.poll();
    assert.equal(changes.length, 2);
    assert.match(await readFile(join(dir, 'Corefile'), 'utf8'), /\n {4}log\n/);
  });

  it('never writes a rendering the server would refuse; a start with none uses the last good -conf, or fails with the reason', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'nld-sync-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const base = join(dir, 'Corefile.base');
    const conf = join(dir, 'Corefile');
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    const errors = new SetupErrors();
    const log = memoryLogger();
    const make = (): ConfigSync => new ConfigSync({ ...syncOptions(dir, undefined), errors, log });
    // parses, but names no plugin: a plan error, with the template's file and line
    const broken = NODE_CACHE_TEST_TEMPLATE.replace('loop', 'no_such_plugin');
    const brokenLine = broken.split('\n').findIndex((l) => l.includes('no_such_plugin')) + 1;
    await writeFile(base, broken);
    await assert.rejects(make().start(), (e: Error) => {
      assert.match(e.message, /no usable config: .*Corefile\.base:\d+/);
      assert.match(e.message, new RegExp(`Corefile\\.base:${brokenLine}\\b`));
      return true;
    });
    await assert.rejects(readFile(conf, 'utf8'), /ENOENT/, 'nothing written');

    await writeFile(base, NODE_CACHE_TEST_TEMPLATE);
    const good = make();
    await good.start();
    good.stop();
    const lastGood = await readFile(conf, 'utf8');

    // a bad edit while running: counted once, -conf untouched
    await writeFile(base, broken);
    const running = make();
    await running.start();
    t.after(() => running.stop());
    assert.equal(await readFile(conf, 'utf8'), lastGood);
    assert.equal(running.current, lastGood, 'the last good config is the one in use');
    const counted = errors.snapshot().configmap;
    await running.poll();
    assert.equal(errors.snapshot().configmap, counted, 'an unchanged bad template is counted once');
    assert.ok(log.lines.some((l) => /serving the last good Corefile/.test(l)));
  });
});
