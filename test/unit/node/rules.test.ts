import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RulesError } from '../../../src/node/backend.ts';
import {
  IptablesBackend,
  iptablesBinary,
  parseOwnedRules,
  planTable,
  ruleSpec,
  splitSaveLine,
} from '../../../src/node/iptables.ts';
import { NftablesBackend, nftReplaceScript, parseNftTable } from '../../../src/node/nftables.ts';
import {
  buildRules,
  COMMENT_ALLOW_DNS,
  COMMENT_SKIP_CONNTRACK,
  canonicalIp,
} from '../../../src/node/rules.ts';
import { FakeRunner } from './fake-runner.ts';

const RULES = buildRules(['169.254.20.10', 'fd00:0::10'], 53, 8080);

function saveOf(table: 'raw' | 'filter', specs: string[]): string {
  return [`*${table}`, ':PREROUTING ACCEPT [0:0]', ...specs, 'COMMIT', ''].join('\n');
}

describe('node rules', () => {
  it("builds node-cache's 12 rules per local IP with comments, per family", () => {
    assert.equal(RULES.length, 24);
    const v4 = RULES.filter((r) => r.family === 4);
    assert.equal(v4.length, 12);
    assert.equal(RULES.filter((r) => r.table === 'raw').length, 16);
    assert.ok(
      RULES.every((r) =>
        r.table === 'raw'
          ? r.comment === COMMENT_SKIP_CONNTRACK && r.action === 'NOTRACK'
          : r.comment === COMMENT_ALLOW_DNS && r.action === 'ACCEPT',
      ),
    );
    assert.equal(RULES.filter((r) => r.port === 8080).length, 4);
    assert.equal(canonicalIp('FD00:0:0::10'), 'fd00::10');
    assert.equal(
      ruleSpec(v4[1] ?? assert.fail()),
      '-d 169.254.20.10/32 -p udp -m udp --dport 53 -m socket --nowildcard -m comment --comment "NodeLocal DNS Cache: skip conntrack" -j NOTRACK',
    );
    // pod queries are diverted only while a socket listens; nothing else depends on one
    assert.deepEqual(
      RULES.filter((r) => r.whileListening).map((r) => `${r.table}/${r.chain}/${r.direction}`),
      Array(4).fill('raw/PREROUTING/dst'),
    );
  });

  it('iptables layout: host-network queries to the ClusterIP are left to kube-proxy; no fallback DNAT', () => {
    const rules = buildRules(['169.254.20.10', '10.96.0.10'], 53, 8080, { 4: '10.96.0.11' });
    const hostQueries = rules.filter(
      (r) => r.chain === 'OUTPUT' && r.direction === 'dst' && r.port === 53,
    );
    assert.deepEqual(
      hostQueries.map((r) => r.ip),
      ['169.254.20.10', '169.254.20.10'],
    );
    assert.equal(rules.filter((r) => r.action === 'DNAT').length, 0);
    assert.equal(rules.length, 12 + 10);
  });

  it('IPVS layout: the link-local IP falls back to kube-dns-upstream by DNAT, for pods and the host', () => {
    const rules = buildRules(['169.254.20.10', 'fd00::10'], 53, 8080, { 4: '10.96.0.11' });
    const dnat = rules.filter((r) => r.action === 'DNAT');
    assert.deepEqual(
      dnat.map((r) => `${r.chain} ${r.proto} ${r.ip} -> ${r.to}`),
      [
        'PREROUTING tcp 169.254.20.10 -> 10.96.0.11',
        'PREROUTING udp 169.254.20.10 -> 10.96.0.11',
        'OUTPUT tcp 169.254.20.10 -> 10.96.0.11',
        'OUTPUT udp 169.254.20.10 -> 10.96.0.11',
      ],
    );
    // host-network queries to the v4 IP are tracked (so the DNAT can apply): no NOTRACK for them
    assert.equal(
      rules.filter(
        (r) =>
          r.family === 4 &&
          r.table === 'raw' &&
          r.chain === 'OUTPUT' &&
          r.direction === 'dst' &&
          r.port === 53,
      ).length,
      0,
    );
    const spec = ruleSpec(dnat[1] ?? assert.fail());
    assert.equal(
      spec,
      '-d 169.254.20.10/32 -p udp -m udp --dport 53 -m comment --comment "NodeLocal DNS Cache: fallback to kube-dns" -j DNAT --to-destination 10.96.0.11:53',
    );
    // what iptables-save prints reads back as the same rule
    const saved = parseOwnedRules(`*nat\n-A PREROUTING ${spec}\nCOMMIT\n`, 'nat');
    assert.deepEqual(
      planTable(
        'nat',
        dnat.filter((r) => r.chain === 'PREROUTING' && r.proto === 'udp'),
        saved,
      ),
      {
        input: '',
        added: 0,
        removed: 0,
      },
    );
    const v6 = buildRules(['fd00::10'], 53, 8080, { 6: 'fd00::20' }).filter(
      (r) => r.action === 'DNAT',
    );
    assert.match(ruleSpec(v6[0] ?? assert.fail()), /--to-destination \[fd00::20\]:53$/);
    assert.match(
      nftReplaceScript(v6),
      /ip6 daddr fd00::10 tcp dport 53 dnat ip6 to \[fd00::20\]:53/,
    );
  });

  it('splits iptables-save lines with quotes', () => {
    assert.deepEqual(splitSaveLine('-A X -m comment --comment "a \\"b\\" c" -j ACCEPT'), [
      '-A',
      'X',
      '-m',
      'comment',
      '--comment',
      'a "b" c',
      '-j',
      'ACCEPT',
    ]);
  });

  it('plans nothing when the installed set is exact, and removes duplicates, stale IPs and foreign-shaped rules with our comment', () => {
    const v4 = RULES.filter((r) => r.family === 4);
    const exact = v4.filter((r) => r.table === 'raw').map((r) => `-A ${r.chain} ${ruleSpec(r)}`);
    assert.deepEqual(planTable('raw', v4, parseOwnedRules(saveOf('raw', exact), 'raw')), {
      input: '',
      added: 0,
      removed: 0,
    });
    const first = exact[0] ?? assert.fail();
    const messy = [
      first,
      first, // duplicate
      '-A PREROUTING -d 169.254.99.99/32 -p udp -m udp --dport 53 -m comment --comment "NodeLocal DNS Cache: skip conntrack" -j NOTRACK', // stale IP
      '-A PREROUTING -p udp -m comment --comment "NodeLocal DNS Cache: skip conntrack" -j CT --notrack', // our comment, other shape
      '-A PREROUTING -d 10.0.0.1/32 -j KUBE-SOMETHING', // not ours: untouched
    ];
    const plan = planTable('raw', v4, parseOwnedRules(saveOf('raw', messy), 'raw'));
    assert.equal(plan.removed, 3);
    assert.equal(plan.added, 7);
    assert.match(plan.input, /^\*raw\n/);
    assert.match(plan.input, /-D PREROUTING -d 169\.254\.99\.99\/32/);
    assert.match(
      plan.input,
      /-D PREROUTING -p udp -m comment --comment "NodeLocal DNS Cache: skip conntrack" -j CT --notrack/,
    );
    assert.doesNotMatch(plan.input, /KUBE-SOMETHING/);
    assert.match(plan.input, /COMMIT\n$/);
  });

  it('applies each family in one iptables-restore -w --noflush call, with the right binaries', async () => {
    const runner = new FakeRunner();
    const backend = new IptablesBackend(runner, 'iptables-legacy', 5);
    const r = await backend.sync(RULES, [4, 6]);
    assert.deepEqual(r, { added: 24, removed: 0 });
    assert.deepEqual(
      runner.calls.map((c) => c.argv.join(' ')),
      [
        'iptables-legacy-save -t raw',
        'iptables-legacy-save -t filter',
        'iptables-legacy-save -t nat',
        'iptables-legacy-restore -w 5 --noflush',
        'ip6tables-legacy-save -t raw',
        'ip6tables-legacy-save -t filter',
        'ip6tables-legacy-save -t nat',
        'ip6tables-legacy-restore -w 5 --noflush',
      ],
    );
    const v6input = runner.calls[7]?.input ?? '';
    assert.match(v6input, /-I PREROUTING 1 -d fd00::10\/128 -p tcp -m tcp --dport 53/);
    assert.equal(iptablesBinary('iptables-nft', 6, ''), 'ip6tables-nft');
    assert.equal(iptablesBinary('iptables', 4, '-restore'), 'iptables-restore');
  });

  it('classifies xtables lock contention apart from other failures', async () => {
    const locked = new FakeRunner((argv) =>
      argv[0]?.endsWith('-restore')
        ? {
            code: 4,
            stderr: 'Another app is currently holding the xtables lock. Stopped waiting after 5s.',
          }
        : {},
    );
    await assert.rejects(
      new IptablesBackend(locked, 'iptables', 5).sync(RULES, [4]),
      (e: unknown) => e instanceof RulesError && e.errorType === 'iptables_lock',
    );
    const broken = new FakeRunner(() => ({
      code: 1,
      stderr: 'iptables-save: table raw does not exist',
    }));
    await assert.rejects(
      new IptablesBackend(broken, 'iptables', 5).sync(RULES, [4]),
      (e: unknown) => e instanceof RulesError && e.errorType === 'iptables',
    );
  });

  it('renders one inet table with raw-priority notrack chains, and reads it back', async () => {
    const script = nftReplaceScript(RULES);
    assert.match(
      script,
      /^table inet nodelocaldns\ndelete table inet nodelocaldns\ntable inet nodelocaldns \{/,
    );
    assert.match(
      script,
      /chain raw-prerouting \{\n {4}type filter hook prerouting priority -300; policy accept;\n {4}ip daddr 169\.254\.20\.10 tcp dport 53 socket wildcard 0 notrack comment "NodeLocal DNS Cache: skip conntrack"/,
    );
    assert.match(script, /ip6 saddr fd00::10 tcp sport 8080 notrack/);
    assert.equal(nftReplaceScript([]), 'table inet nodelocaldns\ndelete table inet nodelocaldns\n');
    const listing = JSON.stringify({
      nftables: [
        { table: { family: 'inet', name: 'nodelocaldns' } },
        ...[
          'raw-prerouting:prerouting:-300',
          'raw-output:output:-300',
          'filter-input:input:0',
          'filter-output:output:0',
          'nat-prerouting:prerouting:-110:nat',
          'nat-output:output:-110:nat',
        ].map((c) => {
          const [name, hook, prio, type = 'filter'] = c.split(':');
          return { chain: { name, hook, prio: Number(prio), type, policy: 'accept' } };
        }),
        {
          rule: {
            chain: 'raw-prerouting',
            expr: [
              {
                match: {
                  op: '==',
                  left: { payload: { protocol: 'ip', field: 'daddr' } },
                  right: '169.254.20.10',
                },
              },
              {
                match: {
                  op: '==',
                  left: { payload: { protocol: 'udp', field: 'dport' } },
                  right: 53,
                },
              },
              { match: { op: '==', left: { socket: { key: 'wildcard' } }, right: 0 } },
              { notrack: null },
            ],
          },
        },
      ],
    });
    assert.deepEqual(parseNftTable(listing), [
      'raw|PREROUTING|udp|dst|169.254.20.10|53|listening|NOTRACK|',
    ]);
    const runner = new FakeRunner((argv) => (argv[1] === '-j' ? { stdout: listing } : {}));
    const r = await new NftablesBackend(runner).sync(RULES, [4, 6]);
    assert.deepEqual(r, { added: 23, removed: 0 });
    assert.deepEqual(runner.calls[1]?.argv, ['nft', '-f', '-']);
    const absent = new FakeRunner(() => ({ code: 1, stderr: 'Error: No such file or directory' }));
    assert.deepEqual(await new NftablesBackend(absent).sync([], [4]), { added: 0, removed: 0 });
    assert.equal(absent.calls.length, 1);
  });
});
