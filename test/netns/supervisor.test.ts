// The supervisor's never-a-black-hole behaviour with a stand-in server child, on a simulated
// node: rules only after the child answers, out within moments of a SIGKILL, back once a new
// child serves, gone after SIGTERM (unless -skipteardown).

import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { IptablesBackend } from '../../src/node/iptables.ts';
import { buildRules } from '../../src/node/rules.ts';
import {
  createSimNode,
  dig,
  installedRuleCount,
  LOCAL_IP,
  linkExists,
  startAgentProcess,
  waitFor,
} from './sim.ts';

const LAUNCHER = fileURLToPath(new URL('./fixtures/agent-launcher.ts', import.meta.url));
const STAND_IN = fileURLToPath(new URL('./fixtures/stand-in-child.ts', import.meta.url));
const TEMPLATE = '.:53 {\n    bind __PILLAR__LOCAL__DNS__\n    errors\n}\n';

describe('supervisor on a simulated node', () => {
  it('installs rules only once the child serves, pulls them on SIGKILL, restores them, tears down on SIGTERM', async (t) => {
    const sim = await createSimNode(t, 'iptables');
    await writeFile(join(sim.dir, 'Corefile.base'), TEMPLATE);
    const pidfile = join(sim.dir, 'agent.pid');
    const args = [
      '-localip',
      LOCAL_IP[4],
      '-conf',
      join(sim.dir, 'Corefile'),
      '-basecorefile',
      join(sim.dir, 'Corefile.base'),
      '-interfacetype',
      'ifb',
      '-syncinterval',
      '1s',
      '-metrics-listen-address',
      '127.0.0.1:9353',
      '-restart-delay',
      '200ms',
      '-pidfile',
      pidfile,
    ];
    const agent = startAgentProcess(t, sim, LAUNCHER, args, {
      NLD_TEST_CHILD: STAND_IN,
      NLD_STANDIN_ADDRS: LOCAL_IP[4],
      NLD_STANDIN_GATE: join(sim.dir, 'gate'),
    });

    // the interface comes first; no rules while the child is not answering yet
    await waitFor(async () => agent.output().includes('server: started child'), 30_000, 'child');
    assert.equal(await linkExists(sim.node), true);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await installedRuleCount(sim.node), 0, `rules before serving\n${agent.output()}`);
    await writeFile(join(sim.dir, 'gate'), '');
    await waitFor(
      async () => (await installedRuleCount(sim.node)) === 12,
      30_000,
      'rules after serving',
    );
    const answer = await dig(sim.pod, LOCAL_IP[4], 'anything.example');
    assert.deepEqual(
      answer.answer.map((r) => r.data),
      ['169.254.99.99'],
      agent.output(),
    );
    assert.equal((await sim.node.must('cat', pidfile)).trim(), String(agent.child.pid));
    const metrics = await sim.node.must('curl', '-sf', 'http://127.0.0.1:9353/metrics');
    assert.match(metrics, /# TYPE coredns_nodecache_setup_errors_total counter/);
    for (const label of [
      'iptables',
      'iptables_lock',
      'interface_add',
      'interface_check',
      'configmap',
    ]) {
      assert.match(
        metrics,
        new RegExp(`coredns_nodecache_setup_errors_total\\{errortype="${label}"\\} 0`),
      );
    }

    // SIGKILL the server child: the rules come out within a bound, then come back
    const childPid = Number(
      (await sim.node.must('pgrep', '-P', String(agent.child.pid))).trim().split('\n')[0],
    );
    assert.ok(childPid > 0);
    process.kill(childPid, 'SIGKILL');
    const outMs = await waitFor(
      async () => (await installedRuleCount(sim.node)) === 0,
      3000,
      'rules out after SIGKILL',
      20,
    );
    t.diagnostic(`rules removed ${outMs} ms after SIGKILL of the server`);
    const backMs = await waitFor(
      async () => (await installedRuleCount(sim.node)) === 12,
      30_000,
      'rules back after restart',
    );
    t.diagnostic(`rules back ${outMs + backMs} ms after SIGKILL (restart delay + a fresh child)`);
    assert.equal((await dig(sim.pod, LOCAL_IP[4], 'again.example')).status, 'NOERROR');

    // extras added by hand are removed by the periodic sync (-syncinterval 1s)
    await sim.node.must(
      'iptables',
      '-w',
      '-t',
      'raw',
      '-A',
      'PREROUTING',
      '-d',
      `${LOCAL_IP[4]}/32`,
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
    await sim.node.must('ip', 'addr', 'del', `${LOCAL_IP[4]}/32`, 'dev', 'nodelocaldns');
    await waitFor(
      async () =>
        (await installedRuleCount(sim.node)) === 12 &&
        (await sim.node.must('ip', 'addr', 'show', 'nodelocaldns')).includes(LOCAL_IP[4]),
      15_000,
      'sync repairs rules and address',
    );

    // SIGTERM: rules and interface gone, pidfile removed, clean exit
    agent.child.kill('SIGTERM');
    assert.equal(await agent.exited, 0, agent.output());
    assert.equal(await installedRuleCount(sim.node), 0);
    assert.equal(await linkExists(sim.node), false);
    assert.equal((await sim.node.run(['test', '-e', pidfile])).code, 1);
  });

  it('leaves rules and interface in place with -skipteardown', async (t) => {
    const sim = await createSimNode(t, 'iptables');
    await writeFile(join(sim.dir, 'Corefile.base'), TEMPLATE);
    const args = [
      '-localip',
      LOCAL_IP[4],
      '-conf',
      join(sim.dir, 'Corefile'),
      '-basecorefile',
      join(sim.dir, 'Corefile.base'),
      '-interfacetype',
      'bridge',
      '-metrics-listen-address',
      '',
      '-skipteardown',
    ];
    const agent = startAgentProcess(t, sim, LAUNCHER, args, {
      NLD_TEST_CHILD: STAND_IN,
      NLD_STANDIN_ADDRS: LOCAL_IP[4],
    });
    await waitFor(async () => (await installedRuleCount(sim.node)) === 12, 30_000, 'rules');
    agent.child.kill('SIGTERM');
    assert.equal(await agent.exited, 0, agent.output());
    assert.equal(await installedRuleCount(sim.node), 12);
    assert.equal(await linkExists(sim.node), true);
  });
  it('removes leftover rules of a dead node-cache (any backend) before serving', async (t) => {
    const sim = await createSimNode(t, 'iptables');
    await writeFile(join(sim.dir, 'Corefile.base'), TEMPLATE);
    // an OOM-killed node-cache left its 12 rules in iptables-legacy: a black hole for 169.254.20.10
    await new IptablesBackend(sim.node, 'iptables-legacy', 5).sync(
      buildRules([LOCAL_IP[4]], 53, 8080),
      [4],
    );
    assert.equal(await installedRuleCount(sim.node), 12);
    const args = [
      '-localip',
      LOCAL_IP[4],
      '-conf',
      join(sim.dir, 'Corefile'),
      '-basecorefile',
      join(sim.dir, 'Corefile.base'),
      '-interfacetype',
      'ifb',
      '-metrics-listen-address',
      '',
      '-rules-backend',
      'nftables',
    ];
    const agent = startAgentProcess(t, sim, LAUNCHER, args, {
      NLD_TEST_CHILD: STAND_IN,
      NLD_STANDIN_ADDRS: LOCAL_IP[4],
      NLD_STANDIN_GATE: join(sim.dir, 'gate'),
    });
    await waitFor(async () => agent.output().includes('server: started child'), 30_000, 'child');
    assert.equal(
      await installedRuleCount(sim.node),
      0,
      `leftovers removed before serving\n${agent.output()}`,
    );
    await writeFile(join(sim.dir, 'gate'), '');
    await waitFor(
      async () => (await sim.node.run(['nft', 'list', 'table', 'inet', 'nodelocaldns'])).code === 0,
      30_000,
      'nftables rules',
    );
    assert.equal(await installedRuleCount(sim.node), 12);
    assert.match(agent.output(), /iptables-legacy: removed 12 leftover rules/);
    agent.child.kill('SIGTERM');
    assert.equal(await agent.exited, 0, agent.output());
    assert.equal(await installedRuleCount(sim.node), 0);
  });
});
