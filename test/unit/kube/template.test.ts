// node-cache's TestUpdateCoreFile / TestUpdateIPv6CoreFile cases (spec §10), on the model.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Corefile } from '../../../src/corefile/model.ts';
import { parseCorefile } from '../../../src/corefile/parse.ts';
import {
  applyTemplate,
  printCorefile,
  quoteWord,
  TemplateError,
  type TemplateParams,
} from '../../../src/corefile/template.ts';
import { lookupServiceHost, serviceHostEnvName } from '../../../src/kube/service-env.ts';
import { NODE_CACHE_TEST_TEMPLATE, SAMPLE_TEMPLATE } from './sample-template.ts';

const BASE: TemplateParams = {
  localIps: ['169.254.20.10', '10.0.0.10'],
  clusterDns: '9.10.11.12',
  upstreamNameservers: [],
  resolvConf: '/etc/resolv.conf',
  prometheusEndpoint: '127.0.0.1:9253',
  dnsPort: 53,
  stubDomains: new Map(),
};

function render(template: string, p: Partial<TemplateParams> = {}): string {
  return printCorefile(
    applyTemplate(parseCorefile(template, 'Corefile.base', { env: {} }), { ...BASE, ...p }),
  );
}

/** Directive lines of one block of rendered text, by block key. */
function block(text: string, key: string): string[] {
  const model = parseCorefile(text, 'out', { env: {} });
  const b =
    model.blocks.find((x) => x.keys.some((k) => k.text === key)) ?? assert.fail(`no block ${key}`);
  return printCorefile({ blocks: [b] } satisfies Corefile)
    .split('\n')
    .slice(1, -2)
    .map((l) => l.trim());
}

describe('corefile template', () => {
  it("renders node-cache's test template: local IPs in bind, cluster IP, resolv.conf upstream, no PILLAR left", () => {
    const out = render(NODE_CACHE_TEST_TEMPLATE);
    assert.doesNotMatch(out, /PILLAR/);
    assert.ok(block(out, 'cluster.local:53').includes('bind 169.254.20.10 10.0.0.10'));
    assert.ok(block(out, 'cluster.local:53').includes('forward . 9.10.11.12 {'));
    const root = block(out, '.:53');
    assert.ok(root.includes('forward . /etc/resolv.conf {'), root.join('\n'));
    assert.ok(root.includes('force_tcp'), 'force_tcp block stays without custom upstreams');
  });

  it('replaces the force_tcp upstream block with a one-line forward and appends stub domain blocks', () => {
    const stubDomains = new Map([
      ['abc.com', ['1.2.3.4']],
      ['my.cluster.local', ['2.3.4.5']],
      ['acme.local', ['6.7.8.9:10053']],
    ]);
    const out = render(NODE_CACHE_TEST_TEMPLATE, {
      upstreamNameservers: ['2.2.2.2:10053', '3.3.3.3'],
      stubDomains,
    });
    const root = block(out, '.:53');
    assert.ok(root.includes('forward . 2.2.2.2:10053 3.3.3.3'), root.join('\n'));
    assert.ok(!root.includes('force_tcp'));
    assert.deepEqual(block(out, 'acme.local:53'), [
      'errors',
      'cache 30',
      'bind 169.254.20.10 10.0.0.10',
      'forward . 6.7.8.9:10053',
    ]);
    assert.deepEqual(block(out, 'abc.com:53'), [
      'errors',
      'cache 30',
      'bind 169.254.20.10 10.0.0.10',
      'forward . 1.2.3.4',
    ]);
    // stub blocks sorted by domain, after the template's blocks: deterministic output
    const keys = parseCorefile(out, 'out', { env: {} }).blocks.map((b) => b.keys[0]?.text);
    assert.deepEqual(keys, [
      'cluster.local:53',
      '.:53',
      'abc.com:53',
      'acme.local:53',
      'my.cluster.local:53',
    ]);
  });

  it("is insensitive to the template's indentation and layout (node-cache matched exact text)", () => {
    const squashed = NODE_CACHE_TEST_TEMPLATE.replace(/\n\s+/g, '\n').replace(
      'force_tcp\n}',
      'force_tcp }',
    );
    const p = { upstreamNameservers: ['2.2.2.2'] };
    assert.equal(render(squashed, p), render(NODE_CACHE_TEST_TEMPLATE, p));
  });

  it('renders the sample manifest template: removes __PILLAR__DNS__SERVER__, fills the prometheus endpoint and the health address', () => {
    // kubernetes-sigs/node-local-dns puts the placeholder where the k/k sample has `:9253`.
    const sigs = SAMPLE_TEMPLATE.replace(
      /(\.:53 \{[\s\S]*?prometheus )(:9253)/,
      '$1__PROMETHEUS__ENDPOINT__',
    );
    assert.match(sigs, /__PROMETHEUS__ENDPOINT__/);
    const out = render(sigs, { localIps: ['169.254.20.10'] });
    assert.doesNotMatch(out, /__/);
    assert.ok(block(out, 'cluster.local:53').includes('bind 169.254.20.10'));
    assert.ok(block(out, 'cluster.local:53').includes('health 169.254.20.10:8080'));
    assert.ok(block(out, '.:53').includes('prometheus 127.0.0.1:9253'));
    assert.ok(block(out, '.:53').includes('forward . /etc/resolv.conf'));
    assert.ok(block(out, 'in-addr.arpa:53').includes('forward . 9.10.11.12 {'));
  });

  it('handles IPv6 (node-cache TestUpdateIPv6CoreFile) and picks the family for a bracketed health address', () => {
    const tpl = SAMPLE_TEMPLATE.replace(
      'health __PILLAR__LOCAL__DNS__:8080',
      'health [__PILLAR__LOCAL__DNS__]:8080',
    );
    const out = render(tpl, {
      localIps: ['169.254.20.10', 'fd00:1:2:3::5'],
      clusterDns: '2001:db8::1',
      upstreamNameservers: ['[2001:db8::2]:10053'],
      stubDomains: new Map([['v6.example', ['[2001:db8::3]:53']]]),
    });
    const cluster = block(out, 'cluster.local:53');
    assert.ok(cluster.includes('bind 169.254.20.10 fd00:1:2:3::5'));
    assert.ok(cluster.includes('forward . 2001:db8::1 {'));
    assert.ok(cluster.includes('health [fd00:1:2:3::5]:8080'));
    assert.ok(block(out, '.:53').includes('forward . [2001:db8::2]:10053'));
    assert.ok(block(out, 'v6.example:53').includes('forward . [2001:db8::3]:53'));
  });

  it('brackets an IPv6 local IP before a port when the template is IPv4-shaped', () => {
    const out = render(SAMPLE_TEMPLATE, { localIps: ['fd00::10'], clusterDns: 'fd00::20' });
    assert.ok(block(out, 'cluster.local:53').includes('health [fd00::10]:8080'));
    assert.ok(block(out, 'cluster.local:53').includes('bind fd00::10'));
  });

  it('fails with a TemplateError when __PILLAR__CLUSTER__DNS__ is used but the Service IP is unknown', () => {
    assert.throws(() => render(SAMPLE_TEMPLATE, { clusterDns: undefined }), TemplateError);
    // IPVS-mode templates have the IP filled in at deploy time and need no env var
    assert.doesNotThrow(() =>
      render(SAMPLE_TEMPLATE.replaceAll('__PILLAR__CLUSTER__DNS__', '10.0.0.10'), {
        clusterDns: undefined,
      }),
    );
  });

  it('prints a model that parses back to itself, quoting words the lexer would split', () => {
    assert.equal(quoteWord('a b'), '"a b"');
    assert.equal(quoteWord('{'), '"{"');
    assert.equal(quoteWord('#x'), '"#x"');
    assert.equal(quoteWord('say"hi"'), '"say\\"hi\\""');
    assert.equal(quoteWord('[::1]:53'), '[::1]:53');
    const tpl =
      '. {\n  template IN A example.org {\n    answer "{{ .Name }} 60 IN A 192.0.2.1"\n  }\n}\n';
    const once = render(tpl);
    assert.equal(render(once), once);
    assert.match(once, /answer "\{\{ \.Name \}\} 60 IN A 192\.0\.2\.1"/);
  });

  it('looks up the upstream Service IP from the service-link env var', () => {
    assert.equal(serviceHostEnvName('kube-dns-upstream'), 'KUBE_DNS_UPSTREAM_SERVICE_HOST');
    assert.equal(
      lookupServiceHost('kube-dns-upstream', { KUBE_DNS_UPSTREAM_SERVICE_HOST: '10.0.0.20' }),
      '10.0.0.20',
    );
    assert.equal(lookupServiceHost('test-svc', { TEST_SVC_SERVICE_HOST: 'not-an-ip' }), undefined);
    assert.equal(lookupServiceHost('kube-dns', {}), undefined);
  });
});
