// The rule backends and the interface against the real tools, each in a fresh namespace.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RulesError } from '../../src/node/backend.ts';
import { ExecFileRunner } from '../../src/node/exec.ts';
import { IptablesBackend, type IptablesVariant } from '../../src/node/iptables.ts';
import { LinkManager } from '../../src/node/link.ts';
import { NftablesBackend } from '../../src/node/nftables.ts';
import { Reconciler } from '../../src/node/reconciler.ts';
import { buildRules } from '../../src/node/rules.ts';
import { SetupErrors } from '../../src/node/setup-errors.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { until } from '../helpers/wait.ts';
import { createNetns, NetnsRunner, ownedIptablesLines, uniquePrefix } from './netns.ts';

const IPS = ['169.254.20.10', '169.254.100.10', 'fd00::10'];
// v4: the iptables layout (link-local + ClusterIP); v6: the IPVS layout, with its fallback DNAT
const RULES = buildRules(IPS, 53, 8080, { 6: 'fd00::20' });
const V4_RULES = RULES.filter((r) => r.family === 4).length;
const V6_RULES = RULES.filter((r) => r.family === 6).length;
// nftables writes a handshake twin for each TCP rule that needs a listener (nftables.ts)
const NOTRACK_LINES =
  RULES.filter((r) => r.action === 'NOTRACK').length +
  RULES.filter((r) => r.whileListening && r.proto === 'tcp').length;

describe('iptables backend in a namespace', () => {
  for (const variant of [
    'iptables-nft',
    'iptables-legacy',
  ] as const satisfies readonly IptablesVariant[]) {
    it(`${variant}: installs the rules once, repairs extras and duplicates, tears down to nothing`, async (t) => {
      const ns = await createNetns(t, `${uniquePrefix()}-rules`);
      const backend = new IptablesBackend(ns, variant, 5);
      assert.deepEqual(await backend.sync(RULES, [4, 6]), { added: RULES.length, removed: 0 });
      assert.equal(
        (await ownedIptablesLines(ns, `iptables${variant.slice(8)}-save`)).length,
        V4_RULES,
      );
      assert.equal(
        (await ownedIptablesLines(ns, `ip6tables${variant.slice(8)}-save`)).length,
        V6_RULES,
      );
      assert.deepEqual(
        await backend.sync(RULES, [4, 6]),
        { added: 0, removed: 0 },
        'second sync changes nothing',
      );

      // someone (a flaky node-cache, a human) adds a duplicate and a stale rule, and deletes one
      const bin = `iptables${variant.slice(8)}`;
      await ns.must(
        bin,
        '-w',
        '-t',
        'raw',
        '-A',
        'PREROUTING',
        '-d',
        '169.254.20.10/32',
        '-p',
        'udp',
        '-m',
        'udp',
        '--dport',
        '53',
        '-m',
        'comment',
        '--comment',
        'NodeLocal DNS Cache: skip conntrack',
        '-j',
        'NOTRACK',
      );
      await ns.must(
        bin,
        '-w',
        '-t',
        'filter',
        '-I',
        'INPUT',
        '-d',
        '169.254.55.55/32',
        '-p',
        'tcp',
        '-m',
        'tcp',
        '--dport',
        '53',
        '-m',
        'comment',
        '--comment',
        'NodeLocal DNS Cache: allow DNS traffic',
        '-j',
        'ACCEPT',
      );
      await ns.must(
        bin,
        '-w',
        '-t',
        'raw',
        '-D',
        'OUTPUT',
        '-s',
        '169.254.100.10/32',
        '-p',
        'tcp',
        '-m',
        'tcp',
        '--sport',
        '8080',
        '-m',
        'comment',
        '--comment',
        'NodeLocal DNS Cache: skip conntrack',
        '-j',
        'NOTRACK',
      );
      await ns.must(bin, '-w', '-t', 'filter', '-A', 'INPUT', '-p', 'icmp', '-j', 'ACCEPT'); // not ours
      assert.deepEqual(await backend.sync(RULES, [4, 6]), { added: 1, removed: 2 });
      const lines = await ownedIptablesLines(ns, `${bin}-save`);
      assert.equal(lines.length, V4_RULES);
      assert.equal(new Set(lines).size, V4_RULES, 'no duplicates');
      assert.match(
        await ns.must(`${bin}-save`, '-t', 'filter'),
        /-A INPUT -p icmp -j ACCEPT/,
        'foreign rules untouched',
      );

      assert.deepEqual(await backend.sync([], [4, 6]), { added: 0, removed: RULES.length });
      assert.equal((await ownedIptablesLines(ns, `${bin}-save`)).length, 0);
      assert.equal((await ownedIptablesLines(ns, `ip6tables${variant.slice(8)}-save`)).length, 0);
    });
  }

  it('counts xtables lock contention as iptables_lock without failing', async (t) => {
    const ns = await createNetns(t, `${uniquePrefix()}-lock`);
    const dir = await mkdtemp(join(tmpdir(), 'nld-lock-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const lockFile = join(dir, 'xtables.lock');
    // a private lock file (XTABLES_LOCKFILE), so the host's /run/xtables.lock is never held
    // detached: its own process group, so the lock-holding `sleep` dies with `flock`
    const holder = spawn('flock', [lockFile, 'sleep', '20'], { stdio: 'ignore', detached: true });
    const release = (): void => {
      try {
        if (holder.pid !== undefined) process.kill(-holder.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    t.after(release);
    // Held once a non-blocking flock of our own fails.
    await until(
      'the holder has the lock',
      () => spawnSync('flock', ['-n', lockFile, 'true']).status === 1,
    );
    const runner = new NetnsRunner(
      ns.ns,
      new ExecFileRunner({ ...process.env, XTABLES_LOCKFILE: lockFile }),
    );
    const backend = new IptablesBackend(runner, 'iptables-legacy', 1);
    await assert.rejects(
      backend.sync(RULES, [4]),
      (e: unknown) => e instanceof RulesError && e.errorType === 'iptables_lock',
    );

    const errors = new SetupErrors();
    const log = memoryLogger();
    const rec = new Reconciler({
      localIps: IPS.slice(0, 1),
      dnsPort: 53,
      healthPort: 8080,
      link: undefined,
      backend: () => Promise.resolve(backend),
      errors,
      log,
    });
    assert.equal(await rec.setRulesWanted(true), false);
    assert.equal(errors.snapshot().iptables_lock, 1);
    assert.equal(errors.snapshot().iptables, 0);
    release();
    await new Promise((r) => holder.once('exit', r));
    assert.equal(await rec.sync(), true, 'the next sync succeeds once the lock is free');
  });
});

describe('nftables backend in a namespace', () => {
  it('replaces its own inet table atomically, repairs it, and deletes it at teardown', async (t) => {
    const ns = await createNetns(t, `${uniquePrefix()}-nft`);
    const backend = new NftablesBackend(ns);
    assert.deepEqual(await backend.sync(RULES, [4, 6]), { added: RULES.length, removed: 0 });
    const listed = await ns.must('nft', 'list', 'table', 'inet', 'nodelocaldns');
    assert.equal((listed.match(/notrack comment/g) ?? []).length, NOTRACK_LINES);
    assert.match(listed, /socket wildcard 0 notrack/);
    assert.match(listed, /ip6 daddr fd00::10 udp dport 53 dnat ip6 to \[fd00::20\]:53/);
    assert.match(listed, /hook prerouting priority raw; policy accept;/);
    assert.deepEqual(await backend.sync(RULES, [4, 6]), { added: 0, removed: 0 });
    // a hand-added duplicate
    await ns.must(
      'nft',
      'add',
      'rule',
      'inet',
      'nodelocaldns',
      'raw-prerouting',
      'ip',
      'daddr',
      '169.254.20.10',
      'udp',
      'dport',
      '53',
      'notrack',
    );
    assert.deepEqual(await backend.sync(RULES, [4, 6]), { added: 0, removed: 1 });
    assert.equal(
      ((await ns.must('nft', 'list', 'table', 'inet', 'nodelocaldns')).match(/notrack/g) ?? [])
        .length,
      NOTRACK_LINES,
    );
    assert.deepEqual(await backend.sync([], [4, 6]), { added: 0, removed: RULES.length });
    assert.doesNotMatch(await ns.must('nft', 'list', 'tables'), /nodelocaldns/);
  });
});

describe('interface in a namespace', () => {
  it('creates the link with /32 and /128 addresses, UP; repairs it; removes it', async (t) => {
    const ns = await createNetns(t, `${uniquePrefix()}-link`);
    const link = new LinkManager(ns, {
      name: 'nodelocaldns',
      type: 'ifb',
      ips: ['169.254.20.10', 'fd00::10'],
    });
    assert.deepEqual(await link.ensure(), {
      created: true,
      addressesAdded: 2,
      addressesRemoved: 0,
      setUp: true,
    });
    const shown = await ns.must('ip', '-o', 'addr', 'show', 'dev', 'nodelocaldns');
    assert.match(shown, /inet 169\.254\.20\.10\/32/);
    assert.match(shown, /inet6 fd00::10\/128/);
    assert.match(await ns.must('ip', 'link', 'show', 'nodelocaldns'), /<[^>]*\bUP\b/);
    assert.deepEqual(await link.ensure(), {
      created: false,
      addressesAdded: 0,
      addressesRemoved: 0,
      setUp: false,
    });

    await ns.must('ip', 'addr', 'del', '169.254.20.10/32', 'dev', 'nodelocaldns');
    await ns.must('ip', 'addr', 'add', '169.254.77.77/32', 'dev', 'nodelocaldns');
    // setting the link down also flushes its IPv6 addresses (keep_addr_on_down=0)
    await ns.must('ip', 'link', 'set', 'nodelocaldns', 'down');
    assert.deepEqual(await link.ensure(), {
      created: false,
      addressesAdded: 2,
      addressesRemoved: 1,
      setUp: true,
    });
    assert.match(
      await ns.must('ip', '-o', 'addr', 'show', 'dev', 'nodelocaldns'),
      /inet6 fd00::10\/128/,
    );

    assert.equal(await link.remove(), true);
    assert.equal(await link.remove(), false);
    assert.equal((await ns.run(['ip', 'link', 'show', 'nodelocaldns'])).code, 1);
  });

  it('counts interface_add when the link type does not exist', async (t) => {
    const ns = await createNetns(t, `${uniquePrefix()}-linkerr`);
    const errors = new SetupErrors();
    const link = new LinkManager(ns, {
      name: 'nodelocaldns',
      type: 'no-such-kind',
      ips: ['169.254.20.10'],
    });
    const rec = new Reconciler({
      localIps: ['169.254.20.10'],
      dnsPort: 53,
      healthPort: 8080,
      link,
      backend: undefined,
      errors,
      log: memoryLogger(),
    });
    assert.equal(await rec.ensureInterface(), false);
    assert.equal(errors.snapshot().interface_add, 1);
  });
});
