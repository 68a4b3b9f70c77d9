import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ConfigMapError,
  isNameserver,
  parseKubeDnsConfig,
  readConfigDir,
} from '../../../src/kube/configmap.ts';
import { ConfigSync } from '../../../src/node/config-sync.ts';
import { SetupErrors } from '../../../src/node/setup-errors.ts';
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

describe('config sync', () => {
  it('renders at start, follows template and ConfigMap changes, keeps the last good config on bad input', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'nld-sync-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const cm = join(dir, 'kube-dns');
    await mkdir(cm);
    // invalid at start: counted, and still picked up once fixed (node-cache stopped polling)
    await writeFile(join(cm, 'upstreamNameservers'), '["not-an-ip"]');
    await writeFile(join(dir, 'Corefile.base'), NODE_CACHE_TEST_TEMPLATE);
    const errors = new SetupErrors();
    const changes: string[] = [];
    const sync = new ConfigSync({
      baseCorefile: join(dir, 'Corefile.base'),
      corefilePath: join(dir, 'Corefile'),
      kubeDnsConfigDir: cm,
      params: {
        localIps: ['169.254.20.10'],
        clusterDns: '169.254.100.20',
        resolvConf: '/tmp/resolv.conf',
        prometheusEndpoint: ':9253',
        dnsPort: 53,
      },
      intervalMs: 60_000,
      errors,
      log: memoryLogger(),
      onChange: (text) => {
        changes.push(text);
        return Promise.resolve();
      },
    });
    t.after(() => sync.stop());
    assert.equal(await sync.start(), true);
    assert.equal(errors.snapshot().configmap, 1);
    const first = await readFile(join(dir, 'Corefile'), 'utf8');
    assert.match(first, /forward \. \/tmp\/resolv\.conf \{/);
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
});
