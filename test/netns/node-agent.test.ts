// The node agent end to end: the real CLI (src/cli.ts) with the sample manifest's args on a
// simulated node (see sim.ts), in iptables mode (local IP + kube-dns ClusterIP) and IPVS mode
// (local IP only), IPv4, IPv6 and dual-stack, against kube-proxy in iptables, nftables and IPVS
// mode. Never a black hole: after a SIGKILL of the whole agent pods and host-network clients are
// answered by kube-dns at once; a second agent started beside the first (a maxSurge rollout)
// takes over with no query lost; a broken template never reaches -conf.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildRules } from '../../src/node/rules.ts';
import { CLUSTER_ZONE, EXTERNAL_ZONE, ZONE_DATA } from '../helpers/zones.ts';
import { SAMPLE_TEMPLATE } from '../unit/kube/sample-template.ts';
import {
  type AgentProcess,
  conntrackFrom,
  createSimNode,
  dig,
  installedRuleCount,
  KUBE_DNS_CLUSTER_IP,
  KUBE_DNS_POD_V4,
  type KubeProxyMode,
  LOCAL_IP,
  linkExists,
  POD_V4,
  POD_V6,
  type RuleBackend,
  ruleCountsByBackend,
  type SimNode,
  startAgentProcess,
  startKubeDns,
  stopChild,
  UPSTREAM_CLUSTER_IP,
  waitFor,
} from './sim.ts';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const QUERY_LOOP = fileURLToPath(new URL('./fixtures/query-loop.ts', import.meta.url));

/**
 * The sample manifest's template (kubernetes/kubernetes nodelocaldns.yaml) as the iptables-mode
 * sed leaves it: errors, cache, reload, loop, bind, forward, prometheus :9253, health on the
 * local IP.
 */
const TEMPLATE = SAMPLE_TEMPLATE;

interface Scenario {
  readonly kubeProxy: KubeProxyMode;
  readonly families: readonly (4 | 6)[];
  readonly backendFlag?: string;
  /** The backend auto-detection must pick: every rule is found there. */
  readonly expectBackend: RuleBackend;
  /** Agent flags beyond the manifest's (`-workers 2`). */
  readonly extraArgs?: readonly string[];
}

async function setUp(
  t: TestContext,
  s: Scenario,
): Promise<{
  sim: SimNode;
  args: string[];
  env: Record<string, string>;
  localIps: string[];
  knot: ChildProcess;
}> {
  const sim = await createSimNode(t, s.kubeProxy);
  const knot = await startKubeDns(t, sim, {
    'cluster.local': CLUSTER_ZONE,
    'example.test': EXTERNAL_ZONE,
  });
  const main = s.families[0] ?? 4;
  // IPVS mode: only the link-local IP; the template has the kube-dns ClusterIP filled in
  const ipvs = s.kubeProxy === 'ipvs';
  const localIps = s.families.flatMap((f) =>
    ipvs ? [LOCAL_IP[f]] : [LOCAL_IP[f], KUBE_DNS_CLUSTER_IP[f]],
  );
  const template = ipvs
    ? TEMPLATE.replaceAll('__PILLAR__CLUSTER__DNS__', KUBE_DNS_CLUSTER_IP[main])
    : TEMPLATE;
  await writeFile(join(sim.dir, 'Corefile.base'), template);
  // the node's resolver (external names): kube-dns's knot serves example.test too
  await writeFile(
    join(sim.dir, 'resolv.conf'),
    `nameserver ${main === 4 ? KUBE_DNS_POD_V4 : 'fd00:2::2'}\n`,
  );
  await mkdir(join(sim.dir, 'kube-dns'));
  const args = [
    // the sample manifest's args …
    '-localip',
    localIps.join(','),
    '-conf',
    join(sim.dir, 'Corefile'),
    '-upstreamsvc',
    'kube-dns-upstream',
    '-pidfile',
    join(sim.dir, 'node-cache.pid'),
    // … and what a test node needs instead of the image's mounts and defaults
    '-basecorefile',
    join(sim.dir, 'Corefile.base'),
    '-kubednscm',
    join(sim.dir, 'kube-dns'),
    '-resolvconf',
    join(sim.dir, 'resolv.conf'),
    '-interfacetype',
    'ifb',
    '-metrics-listen-address',
    '127.0.0.1:9353',
    '-syncinterval',
    '2s',
    '-configsyncinterval',
    '300ms',
    '-restart-delay',
    '100ms',
    ...(s.backendFlag === undefined ? [] : ['-rules-backend', s.backendFlag]),
    ...(s.extraArgs ?? []),
  ];
  return {
    sim,
    args,
    env: { KUBE_DNS_UPSTREAM_SERVICE_HOST: UPSTREAM_CLUSTER_IP[main] },
    localIps,
    knot,
  };
}

const POD = { 4: POD_V4, 6: POD_V6 } as const;

async function podConntrack(sim: SimNode, families: readonly (4 | 6)[]): Promise<number> {
  let n = 0;
  for (const f of families) n += (await conntrackFrom(sim.node, POD[f])).length;
  return n;
}

async function kubeDnsAnswer(sim: SimNode, server: string, f: 4 | 6): Promise<boolean> {
  const r = await dig(sim.pod, server, ZONE_DATA.kubeDns, f === 4 ? 'A' : 'AAAA');
  return (
    r.status === 'NOERROR' &&
    r.answer.some((a) => a.data === (f === 4 ? ZONE_DATA.kubeDnsV4 : ZONE_DATA.kubeDnsV6))
  );
}

interface LoopResult {
  ok: number;
  failed: number;
  failedAtMs: number[];
  slowestMs: number;
  /** Of the failed: answered within 2 s after the 1 s timeout (slow, not lost). */
  late: number;
}

interface PodLoop {
  /** The loop's outcome, once it stopped. */
  readonly result: Promise<LoopResult>;
  /** Resolves once `n` more queries than now were answered (the loop is live past a point). */
  answeredMore(n: number, what: string): Promise<void>;
  /** Asks the loop to stop after its current query; resolves with its outcome. */
  stop(): Promise<LoopResult>;
}

/**
 * A pod querying `server` one query at a time (1 s timeout, no retry) until stopped, or for at
 * most 30 s. Its progress is a file the test waits on.
 */
async function podLoop(sim: SimNode, server: string, transport: 'udp' | 'tcp'): Promise<PodLoop> {
  const control = await mkdtemp(join(sim.dir, `loop-${transport}-`));
  const maxMs = 30_000;
  const result = sim.pod
    .run(
      [process.execPath, QUERY_LOOP, server, ZONE_DATA.kubeDns, String(maxMs), transport, control],
      { timeoutMs: maxMs + 20_000 },
    )
    .then((r) => JSON.parse(r.stdout) as LoopResult);
  const answered = async (): Promise<number> =>
    Number((await readFile(join(control, 'answered'), 'utf8').catch(() => '0')) || 0);
  return {
    result,
    async answeredMore(n, what) {
      const target = (await answered()) + n;
      await waitFor(async () => (await answered()) >= target, 30_000, `${n} answers ${what}`);
    },
    async stop() {
      await writeFile(join(control, 'stop'), '');
      return result;
    },
  };
}

/** The rules the agent must install for this layout (rules.ts decides; this checks it happened). */
function expectedRuleCount(localIps: readonly string[], env: Record<string, string>): number {
  const upstream = env['KUBE_DNS_UPSTREAM_SERVICE_HOST'] ?? '';
  return buildRules(localIps, 53, 8080, { [upstream.includes(':') ? 6 : 4]: upstream }).length;
}

async function waitForRules(sim: SimNode, n: number, agent: AgentProcess): Promise<void> {
  await waitFor(async () => (await installedRuleCount(sim.node)) === n, 30_000, `${n} rules`).catch(
    (e: unknown) => {
      throw new Error(`${String(e)}\n${agent.output()}`);
    },
  );
}

/** Waits until the agent wrote its pid to the pidfile: it answered a query on every listener. */
async function waitServing(sim: SimNode, agent: AgentProcess): Promise<void> {
  const pidfile = join(sim.dir, 'node-cache.pid');
  await waitFor(
    async () =>
      (await readFile(pidfile, 'utf8').catch(() => '')).trim() === String(agent.child.pid),
    30_000,
    'agent serving (pidfile)',
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${agent.output()}`);
  });
}

async function runScenario(t: TestContext, s: Scenario): Promise<void> {
  const { sim, args, env, localIps } = await setUp(t, s);
  const ipvs = s.kubeProxy === 'ipvs';
  const main = s.families[0] ?? 4;
  const ruleCount = expectedRuleCount(localIps, env);

  // Without the agent: the kube-dns ClusterIP works through kube-proxy and is tracked.
  // The very first IPv6 packet of a fresh namespace is sometimes lost (neighbour discovery);
  // a client retries, and so does this warm-up, before anything is asserted.
  for (const f of s.families) {
    await waitFor(
      () => kubeDnsAnswer(sim, KUBE_DNS_CLUSTER_IP[f], f),
      10_000,
      `kube-proxy IPv${f}`,
    );
  }
  if (!ipvs) {
    assert.ok((await podConntrack(sim, s.families)) > 0, 'the DNAT path creates conntrack entries');
  }
  await flushConntrack(sim);

  const agent = startAgentProcess(t, sim, CLI, args, env);
  await waitForRules(sim, ruleCount, agent);
  // The rules, not a log line, say which backend was picked: all of them are in that one.
  await waitFor(
    async () => (await ruleCountsByBackend(sim.node))[s.expectBackend] === ruleCount,
    30_000,
    `${ruleCount} rules in ${s.expectBackend}`,
  ).catch(async (e: unknown) => {
    const counts = JSON.stringify(await ruleCountsByBackend(sim.node));
    throw new Error(`${String(e)} (found ${counts})\n${agent.output()}`);
  });
  await waitServing(sim, agent);

  // Every local IP answers; cluster-zone misses go to kube-dns over TCP via the upstream ClusterIP.
  for (const ip of localIps) {
    const f = ip.includes(':') ? 6 : 4;
    assert.ok(await kubeDnsAnswer(sim, ip, f), `answer on ${ip}\n${agent.output()}`);
    const ext = await dig(sim.pod, ip, ZONE_DATA.externalWww, 'A');
    assert.deepEqual(
      ext.answer.map((a) => a.data),
      [ZONE_DATA.externalWwwV4],
      `external name on ${ip}`,
    );
  }
  if (!ipvs) {
    const tracked = await sim.node.must(
      'conntrack',
      '-L',
      '-f',
      main === 4 ? 'ipv4' : 'ipv6',
      '-p',
      'tcp',
      '-d',
      UPSTREAM_CLUSTER_IP[main],
    );
    assert.match(
      tracked,
      new RegExp(
        `dport=53 .*src=${main === 4 ? KUBE_DNS_POD_V4.replaceAll('.', '\\.') : 'fd00:2::2'} `,
      ),
      `TCP to the upstream ClusterIP, DNATed to kube-dns:\n${tracked}`,
    );
  }
  assert.equal(await podConntrack(sim, s.families), 0, 'no conntrack entries for pod DNS');

  // (a, d) SIGKILL of the whole agent: pods and host-network clients are answered by kube-dns
  // at once, with every rule and the interface still in place (the rules fail open).
  const podTarget = ipvs ? LOCAL_IP[main] : KUBE_DNS_CLUSTER_IP[main];
  const aroundKill = await podLoop(sim, podTarget, 'udp');
  await aroundKill.answeredMore(20, 'before the kill');
  agent.child.kill('SIGKILL');
  await agent.exited;
  const killedAt = Date.now();
  for (const f of s.families) {
    const target = ipvs ? LOCAL_IP[f] : KUBE_DNS_CLUSTER_IP[f];
    if (ipvs && f !== main) continue; // the fallback targets kube-dns-upstream's family only
    assert.ok(await kubeDnsAnswer(sim, target, f), `pod query to ${target} right after SIGKILL`);
    assert.ok(
      await hostAnswer(sim, target, f),
      `host-network query to ${target} right after SIGKILL`,
    );
  }
  t.diagnostic(
    `after SIGKILL: first pod and host queries answered, done ${Date.now() - killedAt} ms after the agent died`,
  );
  await aroundKill.answeredMore(20, 'after the kill');
  const kill = await aroundKill.stop();
  t.diagnostic(
    `pod querying across the SIGKILL (1 s timeout, no retry): ${kill.ok} answered, ${kill.failed} unanswered`,
  );
  // only a query the dead agent had already read can go unanswered
  assert.ok(kill.failed <= 1, `unanswered at ${kill.failedAtMs.join(', ')} ms`);
  assert.equal(await installedRuleCount(sim.node), ruleCount, 'rules left in place');
  assert.equal(await linkExists(sim.node), true);

  // (b) the agent is back: it serves again, and pod DNS is untracked again. Entries made while
  // kube-dns answered are flushed first: they would only age out (raw NOTRACK wins over them).
  const first = startAgentProcess(t, sim, CLI, args, env);
  await waitServing(sim, first);
  await flushConntrack(sim);
  for (const ip of localIps) assert.ok(await kubeDnsAnswer(sim, ip, ip.includes(':') ? 6 : 4));
  assert.equal(
    await podConntrack(sim, s.families),
    0,
    'no conntrack entries once the agent is back',
  );

  // (c) a rolling upgrade: a second agent beside the first, then the first gets SIGTERM. A pod
  // querying over UDP and over TCP throughout gets every answer.
  const udp = await podLoop(sim, podTarget, 'udp');
  const tcp = await podLoop(sim, podTarget, 'tcp');
  await Promise.all([udp.answeredMore(20, 'over UDP'), tcp.answeredMore(20, 'over TCP')]);
  const second = startAgentProcess(t, sim, CLI, args, env);
  await waitServing(sim, second);
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0, first.output());
  assert.match(first.output(), /another agent serves on .*: leaving the interface and rules to it/);
  // Queries keep being answered after the old agent is gone, then the loops stop.
  await Promise.all([
    udp.answeredMore(20, 'after the upgrade'),
    tcp.answeredMore(20, 'after the upgrade'),
  ]);
  for (const [what, loop] of [
    ['UDP', udp],
    ['TCP', tcp],
  ] as const) {
    const r = await loop.stop();
    t.diagnostic(
      `pod over ${what} across the upgrade: ${r.ok} answered within 1 s, ${r.failed} not (${r.late} of them answered late, ${r.failed - r.late} never), slowest ${r.slowestMs} ms`,
    );
    assert.ok(r.ok > 0);
    // Zero in most runs. On a loaded machine one UDP query in about ten upgrades has gone
    // unanswered within 1 s (docs/node-agent.md, "Rolling upgrades"); more than one is a fault.
    assert.ok(
      r.failed - r.late <= 1,
      `${what} lost at ${r.failedAtMs.join(', ')} ms\n${first.output()}\n${second.output()}`,
    );
  }
  assert.equal(await installedRuleCount(sim.node), ruleCount, 'the new agent keeps the rules');
  assert.ok(await kubeDnsAnswer(sim, LOCAL_IP[main], main), 'the new agent serves');
  assert.equal(
    await podConntrack(sim, s.families),
    0,
    `still untracked:\n${(await conntrackFrom(sim.node, main === 4 ? POD_V4 : POD_V6)).join('\n')}`,
  );

  // SIGTERM of the last agent: rules and interface gone, pods reach kube-dns through kube-proxy.
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0, second.output());
  assert.equal(await installedRuleCount(sim.node), 0, 'no rules after SIGTERM');
  assert.equal(await linkExists(sim.node), false, 'no interface after SIGTERM');
  for (const f of s.families)
    assert.ok(await kubeDnsAnswer(sim, KUBE_DNS_CLUSTER_IP[f], f), `kube-proxy path again IPv${f}`);
}

/** A host-network client: the same query from the node's own namespace. */
async function hostAnswer(sim: SimNode, server: string, f: 4 | 6): Promise<boolean> {
  const r = await dig(sim.node, server, ZONE_DATA.kubeDns, f === 4 ? 'A' : 'AAAA');
  return r.status === 'NOERROR' && r.answer.length > 0;
}

async function flushConntrack(sim: SimNode): Promise<void> {
  for (const f of ['ipv4', 'ipv6']) await sim.node.run(['conntrack', '-F', '-f', f]);
}

/**
 * The agent answers, not kube-dns: cached answers survive kube-dns going away; a bad ConfigMap
 * is counted and its fix is served (a reload).
 */
async function answersAndReloads(t: TestContext, extraArgs: readonly string[]): Promise<void> {
  const s: Scenario = {
    kubeProxy: 'iptables',
    families: [4],
    expectBackend: 'iptables-nft',
    extraArgs,
  };
  const { sim, args, env, knot } = await setUp(t, s);
  await writeFile(join(sim.dir, 'kube-dns', 'stubDomains'), '{"stub.test": ["not-an-ip"]}');
  const agent = startAgentProcess(t, sim, CLI, args, env);
  await waitFor(
    async () =>
      (await installedRuleCount(sim.node)) ===
      expectedRuleCount([LOCAL_IP[4], KUBE_DNS_CLUSTER_IP[4]], env),
    30_000,
    'rules',
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${agent.output()}`);
  });
  for (const ip of [LOCAL_IP[4], KUBE_DNS_CLUSTER_IP[4]])
    assert.ok(await kubeDnsAnswer(sim, ip, 4));
  await stopChild(knot);
  for (const ip of [LOCAL_IP[4], KUBE_DNS_CLUSTER_IP[4]])
    assert.ok(await kubeDnsAnswer(sim, ip, 4), `cached answer on ${ip} with kube-dns gone`);

  const metrics = (): Promise<string> =>
    sim.node.must('curl', '-sf', 'http://127.0.0.1:9353/metrics');
  assert.match(await metrics(), /coredns_nodecache_setup_errors_total\{errortype="configmap"\} 1/);
  // interception as the status page shows it, on the server's own listener
  const served = (await sim.node.run(['curl', '-sf', 'http://127.0.0.1:9253/metrics'])).stdout;
  assert.match(
    served,
    new RegExp(
      `nodelocaldns_interception_rules\\{backend="iptables-nft"\\} ${expectedRuleCount([LOCAL_IP[4], KUBE_DNS_CLUSTER_IP[4]], env)}\n`,
    ),
  );
  assert.match(served, /nodelocaldns_interface_addresses 2\n/);
  // the same count on the server's own prometheus listener (`prometheus :9253`)
  await waitFor(
    async () =>
      /coredns_nodecache_setup_errors_total\{errortype="configmap"\} 1/.test(
        (await sim.node.run(['curl', '-sf', 'http://127.0.0.1:9253/metrics'])).stdout,
      ),
    10_000,
    'setup errors on :9253',
  );
  // the liveness probe target of the manifest
  assert.equal(
    (await sim.node.must('curl', '-sf', `http://${LOCAL_IP[4]}:8080/health`)).trim(),
    'OK',
  );
  // fix the ConfigMap: example.test goes to a stub server (knot again, restarted in the test)
  await startKubeDns(t, sim, { 'cluster.local': CLUSTER_ZONE, 'example.test': EXTERNAL_ZONE });
  await writeFile(
    join(sim.dir, 'kube-dns', 'stubDomains'),
    `{"example.test": ["${KUBE_DNS_POD_V4}"]}`,
  );
  await waitFor(
    async () => (await readFile(join(sim.dir, 'Corefile'), 'utf8')).includes('example.test:53'),
    15_000,
    'stub block rendered',
  );
  // The reload is seen in what the agent answers: the stub domain now resolves.
  await waitFor(
    async () =>
      (await dig(sim.pod, LOCAL_IP[4], ZONE_DATA.externalWww, 'A')).answer[0]?.data ===
      ZONE_DATA.externalWwwV4,
    15_000,
    'the stub domain answered after the reload',
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${agent.output()}`);
  });
  assert.match(await metrics(), /errortype="configmap"\} 1\n/);
  assert.match(
    await readFile(join(sim.dir, 'Corefile'), 'utf8'),
    /bind 169\.254\.20\.10 169\.254\.100\.10\n/,
  );
  await stopChild(agent.child, 'SIGTERM');
}

describe('node agent on a simulated node', () => {
  it('iptables mode, IPv4, kube-proxy iptables: auto picks iptables-nft; SIGKILL, restart, upgrade, stop', async (t) => {
    await runScenario(t, { kubeProxy: 'iptables', families: [4], expectBackend: 'iptables-nft' });
  });

  it('two worker threads (-workers 2): SIGKILL, restart, upgrade between two 2-thread agents, stop', async (t) => {
    await runScenario(t, {
      kubeProxy: 'iptables',
      families: [4],
      expectBackend: 'iptables-nft',
      extraArgs: ['-workers', '2'],
    });
  });

  it('iptables mode, IPv4, kube-proxy nftables: auto picks the nftables backend (kubernetes/dns#682)', async (t) => {
    await runScenario(t, { kubeProxy: 'nftables', families: [4], expectBackend: 'nftables' });
  });

  it('IPVS mode, IPv4: the link-local IP falls back to kube-dns-upstream (iptables-nft)', async (t) => {
    await runScenario(t, { kubeProxy: 'ipvs', families: [4], expectBackend: 'iptables-nft' });
  });

  it('IPVS mode, IPv6, nftables backend chosen by flag', async (t) => {
    await runScenario(t, {
      kubeProxy: 'ipvs',
      families: [6],
      backendFlag: 'nftables',
      expectBackend: 'nftables',
    });
  });

  it('IPVS mode, IPv4, iptables-legacy backend chosen by flag', async (t) => {
    await runScenario(t, {
      kubeProxy: 'ipvs',
      families: [4],
      backendFlag: 'iptables-legacy',
      expectBackend: 'iptables-legacy',
    });
  });

  it('iptables mode, IPv6 only', async (t) => {
    await runScenario(t, { kubeProxy: 'iptables', families: [6], expectBackend: 'iptables-nft' });
  });

  it('dual-stack in one process, nftables backend', async (t) => {
    await runScenario(t, { kubeProxy: 'nftables', families: [4, 6], expectBackend: 'nftables' });
  });

  it('dual-stack in one process, iptables-legacy backend chosen by flag', async (t) => {
    await runScenario(t, {
      kubeProxy: 'iptables',
      families: [4, 6],
      backendFlag: 'iptables-legacy',
      expectBackend: 'iptables-legacy',
    });
  });

  it('the agent answers, not kube-dns: cached answers survive kube-dns going away; a bad ConfigMap is counted and its fix is served', async (t) => {
    await answersAndReloads(t, []);
  });

  it('the same with two worker threads: the cache is one for both, the reload reaches both', async (t) => {
    await answersAndReloads(t, ['-workers', '2']);
  });

  it('a broken template never reaches -conf: the last good config serves, also after a restart; with none the agent exits with file:line', async (t) => {
    const s: Scenario = { kubeProxy: 'iptables', families: [4], expectBackend: 'iptables-nft' };
    const { sim, args, env } = await setUp(t, s);
    const agent = startAgentProcess(t, sim, CLI, args, env);
    await waitServing(sim, agent);
    const conf = join(sim.dir, 'Corefile');
    const good = await readFile(conf, 'utf8');
    const base = join(sim.dir, 'Corefile.base');
    const broken = (await readFile(base, 'utf8')).replace('loop', 'no_such_plugin');
    await writeFile(base, broken);
    const metrics = (): Promise<string> =>
      sim.node.run(['curl', '-sf', 'http://127.0.0.1:9353/metrics']).then((r) => r.stdout);
    await waitFor(
      async () => /errortype="configmap"\} 1\n/.test(await metrics()),
      15_000,
      'the bad template counted',
    );
    const line = broken.split('\n').findIndex((l) => l.includes('no_such_plugin')) + 1;
    assert.match(agent.output(), new RegExp(`Corefile\\.base:${line}\\b.*no_such_plugin`));
    assert.equal(await readFile(conf, 'utf8'), good, '-conf still holds the last good config');
    assert.ok(await kubeDnsAnswer(sim, LOCAL_IP[4], 4));

    // a restart with the template still broken serves the last good config from -conf
    agent.child.kill('SIGKILL');
    await agent.exited;
    const again = startAgentProcess(t, sim, CLI, args, env);
    await waitServing(sim, again);
    assert.ok(await kubeDnsAnswer(sim, LOCAL_IP[4], 4), 'served after the restart');
    assert.match(again.output(), /serving the last good Corefile/);
    assert.equal(await readFile(conf, 'utf8'), good);
    await stopChild(again.child, 'SIGTERM');

    // no last good config: exit non-zero with the template's file and line, nothing on the node
    const fresh = args.map((a) => (a === conf ? join(sim.dir, 'Corefile.fresh') : a));
    const failing = startAgentProcess(t, sim, CLI, fresh, env);
    assert.notEqual(await failing.exited, 0);
    assert.match(failing.output(), new RegExp(`no usable config: .*Corefile\\.base:${line}\\b`));
    assert.equal(await installedRuleCount(sim.node), 0);
  });

  it('-skipteardown leaves rules and interface; a start replaces node-cache leftovers of any backend with its own rules', async (t) => {
    const s: Scenario = { kubeProxy: 'iptables', families: [4], expectBackend: 'iptables-nft' };
    const { sim, args, env, localIps } = await setUp(t, s);
    // node-cache's unconditional rule, left by a dead node-cache in both iptables flavours
    for (const bin of ['iptables-legacy', 'iptables-nft'])
      await sim.node.must(
        bin,
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
    const agent = startAgentProcess(t, sim, CLI, [...args, '-skipteardown'], env);
    await waitServing(sim, agent);
    const ruleCount = expectedRuleCount(localIps, env);
    await waitForRules(sim, ruleCount, agent);
    const legacy = await sim.node.must('iptables-legacy-save');
    assert.doesNotMatch(legacy, /NodeLocal DNS Cache/, 'legacy leftovers removed');
    const nft = await sim.node.must('iptables-nft-save', '-t', 'raw');
    assert.doesNotMatch(
      nft,
      /-A PREROUTING .*--dport 53 -m comment --comment "NodeLocal DNS Cache: skip conntrack" -j NOTRACK/,
      'the unconditional rule is replaced',
    );
    agent.child.kill('SIGTERM');
    assert.equal(await agent.exited, 0, agent.output());
    assert.equal(await installedRuleCount(sim.node), ruleCount, 'rules stay with -skipteardown');
    assert.equal(await linkExists(sim.node), true, 'interface stays with -skipteardown');
  });
});
