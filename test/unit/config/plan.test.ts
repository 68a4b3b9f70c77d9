import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PluginDefinition } from '../../../src/chain/definition.ts';
import { planCorefile } from '../../../src/config/plan.ts';
import { CorefileError } from '../../../src/corefile/errors.ts';
import type { Corefile } from '../../../src/corefile/model.ts';
import { parseCorefile } from '../../../src/corefile/parse.ts';
import { DIRECTIVES, PLUGINS } from '../../../src/plugins/registry.ts';
import { SAMPLE_TEMPLATE } from '../kube/sample-template.ts';

// The Corefile of kubernetes/kubernetes cluster/addons/dns/nodelocaldns/nodelocaldns.yaml, with
// the deploy-time and runtime placeholders filled in.
const NODELOCALDNS_YAML_COREFILE = SAMPLE_TEMPLATE.replaceAll(
  '__PILLAR__LOCAL__DNS__',
  '169.254.20.10',
)
  .replaceAll('__PILLAR__DNS__SERVER__', '10.96.0.10')
  .replaceAll('__PILLAR__CLUSTER__DNS__', '10.96.0.11')
  .replaceAll('__PILLAR__UPSTREAM__SERVERS__', '/etc/resolv.conf');

const parse = (text: string): Corefile => parseCorefile(text, 'Corefile', { env: {} });
const plan = (text: string | Corefile, plugins = PLUGINS): ReturnType<typeof planCorefile> =>
  planCorefile(typeof text === 'string' ? parse(text) : text, plugins, { defaultPort: 53 });

/** Drops directive lines whose plugin is not registered yet (some are still landing). */
function onlyRegistered(corefile: Corefile): Corefile {
  return {
    blocks: corefile.blocks.map((b) => ({
      ...b,
      directives: b.directives.filter((d) => PLUGINS.has(d.name)),
    })),
  };
}

describe('the nodelocaldns.yaml Corefile', () => {
  it('parses into four blocks with every directive and sub-block line', () => {
    const c = parse(NODELOCALDNS_YAML_COREFILE);
    assert.deepEqual(
      c.blocks.map((b) => [b.keys.map((k) => k.text), b.line, b.directives.map((d) => d.name)]),
      [
        [
          ['cluster.local:53'],
          1,
          ['errors', 'cache', 'reload', 'loop', 'bind', 'forward', 'prometheus', 'health'],
        ],
        [
          ['in-addr.arpa:53'],
          16,
          ['errors', 'cache', 'reload', 'loop', 'bind', 'forward', 'prometheus'],
        ],
        [
          ['ip6.arpa:53'],
          27,
          ['errors', 'cache', 'reload', 'loop', 'bind', 'forward', 'prometheus'],
        ],
        [['.:53'], 38, ['errors', 'cache', 'reload', 'loop', 'bind', 'forward', 'prometheus']],
      ],
    );
    const cache = c.blocks[0]?.directives[1];
    assert.deepEqual(
      cache?.block?.map((o) => [o.name, o.args.map((a) => a.text), o.line]),
      [
        ['success', ['9984', '30'], 4],
        ['denial', ['9984', '5'], 5],
      ],
    );
    const forward = c.blocks[0]?.directives[5];
    assert.deepEqual(
      [forward?.args.map((a) => a.text), forward?.block?.map((o) => o.name)],
      [['.', '10.96.0.11'], ['force_tcp']],
    );
    assert.deepEqual(
      c.blocks[3]?.directives[5]?.args.map((a) => a.text),
      ['.', '/etc/resolv.conf'],
    );
  });

  it('plans with the registered plugins: zones, port, listen addresses, chain order', () => {
    const blocks = plan(onlyRegistered(parse(NODELOCALDNS_YAML_COREFILE)));
    assert.deepEqual(
      blocks.map((b) => [b.zones, b.port, b.listen]),
      [
        [['cluster.local.'], 53, ['169.254.20.10', '10.96.0.10']],
        [['in-addr.arpa.'], 53, ['169.254.20.10', '10.96.0.10']],
        [['ip6.arpa.'], 53, ['169.254.20.10', '10.96.0.10']],
        [['.'], 53, ['169.254.20.10', '10.96.0.10']],
      ],
    );
    const written =
      parse(NODELOCALDNS_YAML_COREFILE).blocks[0]?.directives.map((d) => d.name) ?? [];
    const want = DIRECTIVES.filter((d) => PLUGINS.has(d) && written.includes(d));
    assert.deepEqual(
      blocks[0]?.plugins.map((p) => p.definition.name),
      want,
    );
  });
});

describe('planCorefile', () => {
  // positive
  it('orders the chain by the directive table, whatever the line order', () => {
    const registered = DIRECTIVES.filter(
      (d) => PLUGINS.has(d) && ['errors', 'log', 'cache', 'forward', 'bind'].includes(d),
    );
    const lines = ['forward . 127.0.0.1', 'cache 30', 'log', 'errors', 'bind 127.0.0.1'].filter(
      (l) => PLUGINS.has(l.split(' ')[0] ?? ''),
    );
    const orders = [lines, [...lines].reverse(), [...lines.slice(2), ...lines.slice(0, 2)]].map(
      (ls) => plan(`.:53 {\n${ls.join('\n')}\n}\n`)[0]?.plugins.map((p) => p.definition.name),
    );
    for (const order of orders) assert.deepEqual(order, registered);
  });

  it('allows repeatable plugins more than once, and merges log lines into one entry', () => {
    const [block] = plan(
      '.:53 {\n  log\n  log . {common}\n  bind 127.0.0.1\n  bind ::1 127.0.0.1\n}\n',
    );
    assert.deepEqual(block?.listen, ['127.0.0.1', '::1']);
    const logs = block?.plugins.filter((p) => p.definition.name === 'log');
    assert.equal(logs?.length, 1);
    assert.equal(logs?.[0]?.lines.length, 2);
  });

  it('allows the same zone on other ports or other addresses', () => {
    assert.equal(plan('a.test:53 {\n}\na.test:54 {\n}\n').length, 2);
    assert.equal(plan('a.test {\n bind 127.0.0.1\n}\na.test {\n bind 127.0.0.2\n}\n').length, 2);
    assert.deepEqual(plan('10.0.0.0/15 b.test {\n}\n')[0]?.zones, [
      '0.10.in-addr.arpa.',
      '1.10.in-addr.arpa.',
      'b.test.',
    ]);
  });

  // negative
  const negative: { name: string; input: string; code: string; line: number; message: RegExp }[] = [
    {
      name: 'unknown directive',
      input: '.:53 {\n  errors\n  no_such_plugin /etc/hosts\n}\n',
      code: 'ERR_COREFILE_UNKNOWN_DIRECTIVE',
      line: 3,
      message: /^Corefile:3 - unknown directive 'no_such_plugin' \(supported: .*forward.*\)$/,
    },
    {
      name: 'import left unexpanded is an unknown directive too',
      input: '.:53 {\n  log import x\n  "import" y\n}\n',
      code: 'ERR_COREFILE_UNKNOWN_DIRECTIVE',
      line: 3,
      message: /unknown directive 'import'/,
    },
    {
      name: 'non-repeatable directive twice',
      input: '.:53 {\n  cache 30\n  errors\n  cache 60\n}\n',
      code: 'ERR_COREFILE_DUPLICATE',
      line: 4,
      message: /^Corefile:4 - plugin\/cache: this plugin can only be used once per server block$/,
    },
    {
      name: 'same zone twice on one address and port',
      input: 'a.test:53 {\n}\n\nA.TEST.:53 {\n}\n',
      code: 'ERR_COREFILE_DUPLICATE',
      line: 4,
      message: /zone 'a.test.' is defined twice for \*:53 \(also at Corefile:1\)/,
    },
    {
      name: 'CIDR key overlapping a zone key',
      input: '0.10.in-addr.arpa {\n}\n10.0.0.0/15 {\n}\n',
      code: 'ERR_COREFILE_DUPLICATE',
      line: 3,
      message: /0\.10\.in-addr\.arpa\./,
    },
    {
      name: 'keys with different ports in one block',
      input: '.:53 a.test:54 {\n}\n',
      code: 'ERR_COREFILE_VALUE',
      line: 1,
      message: /different ports/,
    },
    {
      name: 'bad key',
      input: '\ntls://a.test {\n}\n',
      code: 'ERR_COREFILE_VALUE',
      line: 2,
      message: /dns:\/\//,
    },
    {
      name: 'a plugin option error names the option line',
      input: '.:53 {\n\n  cache {\n    success abc\n  }\n}\n',
      code: 'ERR_COREFILE_VALUE',
      line: 4,
      message: /^Corefile:4 - plugin\/cache: /,
    },
  ];
  for (const row of negative) {
    it(`rejects: ${row.name}`, () => {
      assert.throws(
        () => plan(row.input),
        (err: unknown) => {
          assert.ok(err instanceof CorefileError, String(err));
          assert.deepEqual([err.code, err.line], [row.code, row.line], err.message);
          assert.match(err.message, row.message);
          return true;
        },
      );
    });
  }

  it('names only the plugins that are registered in the unknown-directive message', () => {
    const only = new Map<string, PluginDefinition<unknown>>(
      [...PLUGINS].filter(([n]) => n === 'errors'),
    );
    assert.throws(
      () => plan('.:53 {\n  cache\n}\n', only),
      /unknown directive 'cache' \(supported: errors\)$/,
    );
  });
});
