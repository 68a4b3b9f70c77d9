// A simulated Kubernetes node in namespaces:
//   pod  (169.254.1.2, fd00:1::2) ── veth ── node (169.254.1.1, fd00:1::1; the agent runs here)
//   node (169.254.2.1, fd00:2::1) ── veth ── kube-dns (169.254.2.2, fd00:2::2; knot serves cluster.local)
// kube-proxy is simulated in the node namespace: the kube-dns ClusterIP (169.254.100.10 /
// fd00:100::10) and the kube-dns-upstream ClusterIP (169.254.100.20 / fd00:100::20) → kube-dns:53
// by DNAT rules in iptables (nat table) or nftables (`kube-proxy` table) mode; in IPVS mode the
// ClusterIPs are local addresses (on kube-ipvs0, as IPVS has them) served by a relay to kube-dns,
// since this kernel has no IPVS (fixtures/ipvs-relay.ts).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type DigResult, parseDigOutput } from '../helpers/dig.ts';
import { createNetns, type NetnsRunner, uniquePrefix, vethPair } from './netns.ts';

export const POD_V4 = '169.254.1.2';
export const POD_V6 = 'fd00:1::2';
export const KUBE_DNS_POD_V4 = '169.254.2.2';
export const KUBE_DNS_POD_V6 = 'fd00:2::2';
export const KUBE_DNS_CLUSTER_IP = { 4: '169.254.100.10', 6: 'fd00:100::10' } as const;
export const UPSTREAM_CLUSTER_IP = { 4: '169.254.100.20', 6: 'fd00:100::20' } as const;
export const LOCAL_IP = { 4: '169.254.20.10', 6: 'fd00:20::10' } as const;

export interface SimNode {
  readonly pod: NetnsRunner;
  readonly node: NetnsRunner;
  readonly kubeDns: NetnsRunner;
  readonly dir: string;
}

export type KubeProxyMode = 'iptables' | 'nftables' | 'ipvs';

export async function createSimNode(t: TestContext, kubeProxy: KubeProxyMode): Promise<SimNode> {
  const prefix = uniquePrefix();
  const pod = await createNetns(t, `${prefix}-pod`);
  const node = await createNetns(t, `${prefix}-node`);
  const kubeDns = await createNetns(t, `${prefix}-kdns`);
  const dir = await mkdtemp(join(tmpdir(), 'nld-sim-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await vethPair(pod, 'eth0', [`${POD_V4}/24`, `${POD_V6}/64`], node, 'vpod', [
    '169.254.1.1/24',
    'fd00:1::1/64',
  ]);
  await vethPair(
    kubeDns,
    'eth0',
    [`${KUBE_DNS_POD_V4}/24`, `${KUBE_DNS_POD_V6}/64`],
    node,
    'vkdns',
    ['169.254.2.1/24', 'fd00:2::1/64'],
  );
  for (const [ns, v4, v6] of [
    [pod, '169.254.1.1', 'fd00:1::1'],
    [kubeDns, '169.254.2.1', 'fd00:2::1'],
  ] as const) {
    await ns.must('ip', 'route', 'add', 'default', 'via', v4);
    await ns.must('ip', '-6', 'route', 'add', 'default', 'via', v6);
  }
  // ClusterIPs are routed like any other destination; DNAT rewrites them first.
  await node.must('ip', 'route', 'add', 'default', 'via', KUBE_DNS_POD_V4);
  await node.must('ip', '-6', 'route', 'add', 'default', 'via', KUBE_DNS_POD_V6);
  await node.must('sysctl', '-qw', 'net.ipv4.ip_forward=1');
  await node.must('sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1');
  if (kubeProxy === 'iptables') await iptablesKubeProxy(node);
  else if (kubeProxy === 'nftables') await nftablesKubeProxy(node);
  else await ipvsKubeProxy(t, node);
  return { pod, node, kubeDns, dir };
}

const IPVS_RELAY = fileURLToPath(new URL('./fixtures/ipvs-relay.ts', import.meta.url));

async function ipvsKubeProxy(t: TestContext, node: NetnsRunner): Promise<void> {
  await node.must('ip', 'link', 'add', 'kube-ipvs0', 'type', 'bridge');
  for (const family of [4, 6] as const) {
    for (const ip of [KUBE_DNS_CLUSTER_IP[family], UPSTREAM_CLUSTER_IP[family]])
      await node.must('ip', 'addr', 'add', `${ip}/${family === 4 ? 32 : 128}`, 'dev', 'kube-ipvs0');
  }
  await node.must('ip', 'link', 'set', 'kube-ipvs0', 'up');
  for (const bin of ['iptables', 'ip6tables']) await statefulRule(node, bin);
  for (const family of [4, 6] as const) {
    const relay = spawn(
      'ip',
      [
        'netns',
        'exec',
        node.ns,
        process.execPath,
        IPVS_RELAY,
        family === 4 ? KUBE_DNS_POD_V4 : KUBE_DNS_POD_V6,
        KUBE_DNS_CLUSTER_IP[family],
        UPSTREAM_CLUSTER_IP[family],
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    t.after(() => stopChild(relay));
    await new Promise<void>((resolve, reject) => {
      relay.stdout?.once('data', () => resolve());
      relay.once('exit', (code) => reject(new Error(`ipvs relay exited: ${code}`)));
    });
  }
}

async function iptablesKubeProxy(node: NetnsRunner): Promise<void> {
  for (const family of [4, 6] as const) {
    const bin = family === 4 ? 'iptables' : 'ip6tables';
    const target = family === 4 ? `${KUBE_DNS_POD_V4}:53` : `[${KUBE_DNS_POD_V6}]:53`;
    for (const ip of [KUBE_DNS_CLUSTER_IP[family], UPSTREAM_CLUSTER_IP[family]]) {
      for (const chain of ['PREROUTING', 'OUTPUT']) {
        for (const proto of ['udp', 'tcp']) {
          await node.must(
            bin,
            '-w',
            '-t',
            'nat',
            '-A',
            chain,
            '-d',
            ip,
            '-p',
            proto,
            '--dport',
            '53',
            '-m',
            'comment',
            '--comment',
            'KUBE-SVC simulated',
            '-j',
            'DNAT',
            '--to-destination',
            target,
          );
        }
      }
    }
    await statefulRule(node, bin);
  }
}

/** A stateful rule, as on every real node (conntrack hooks need one to be active). */
async function statefulRule(node: NetnsRunner, bin: string): Promise<void> {
  await node.must(
    bin,
    '-w',
    '-A',
    'INPUT',
    '-m',
    'conntrack',
    '--ctstate',
    'ESTABLISHED,RELATED',
    '-j',
    'ACCEPT',
  );
}

async function nftablesKubeProxy(node: NetnsRunner): Promise<void> {
  const lines: string[] = [];
  for (const family of [4, 6] as const) {
    const fam = family === 4 ? 'ip' : 'ip6';
    const target = family === 4 ? `${KUBE_DNS_POD_V4}:53` : `[${KUBE_DNS_POD_V6}]:53`;
    lines.push(`table ${fam} kube-proxy {`);
    for (const [chain, hook] of [
      ['nat-prerouting', 'prerouting'],
      ['nat-output', 'output'],
    ]) {
      lines.push(`  chain ${chain} {`, `    type nat hook ${hook} priority -100; policy accept;`);
      for (const ip of [KUBE_DNS_CLUSTER_IP[family], UPSTREAM_CLUSTER_IP[family]]) {
        lines.push(
          `    ${fam} daddr ${ip} meta l4proto { tcp, udp } th dport 53 dnat to ${target}`,
        );
      }
      lines.push('  }');
    }
    lines.push(
      '  chain filter-input {',
      '    type filter hook input priority filter; policy accept;',
      '    ct state established,related accept',
      '  }',
      '}',
    );
  }
  const r = await node.run(['nft', '-f', '-'], { input: `${lines.join('\n')}\n` });
  if (r.code !== 0) throw new Error(`nft kube-proxy: ${r.stderr}`);
}

/** knotd serving cluster.local on the kube-dns namespace's addresses, port 53. */
export async function startKubeDns(
  t: TestContext,
  sim: SimNode,
  zones: Readonly<Record<string, string>>,
): Promise<ChildProcess> {
  const dir = join(sim.dir, 'knot');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  const zoneConf: string[] = [];
  for (const [name, text] of Object.entries(zones)) {
    await writeFile(join(dir, `${name}.zone`), text);
    zoneConf.push(`  - domain: "${name}"\n    file: "${join(dir, `${name}.zone`)}"\n`);
  }
  await writeFile(
    join(dir, 'knot.conf'),
    `server:\n    rundir: "${dir}"\n    listen: [ ${KUBE_DNS_POD_V4}@53, ${KUBE_DNS_POD_V6}@53 ]\n    udp-workers: 1\n    tcp-workers: 1\n    background-workers: 1\nlog:\n  - target: stderr\n    any: warning\ndatabase:\n    storage: "${dir}"\ntemplate:\n  - id: default\n    storage: "${dir}"\n    zonefile-sync: -1\n    journal-content: none\nzone:\n${zoneConf.join('')}`,
  );
  const knot = spawn(
    'ip',
    ['netns', 'exec', sim.kubeDns.ns, '/usr/sbin/knotd', '-c', join(dir, 'knot.conf')],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  t.after(() => stopChild(knot));
  const first = Object.keys(zones)[0] ?? '.';
  await waitFor(
    async () => (await dig(sim.kubeDns, KUBE_DNS_POD_V4, first, 'SOA')).status === 'NOERROR',
    10_000,
    'knot ready',
  );
  return knot;
}

export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** dig inside a namespace (the helpers' dig refuses non-loopback servers, rightly, on the host). */
export async function dig(
  ns: NetnsRunner,
  server: string,
  name: string,
  type = 'A',
  extra: readonly string[] = [],
): Promise<DigResult> {
  const r = await ns.run(['dig', `@${server}`, name, type, '+time=1', '+tries=1', ...extra], {
    timeoutMs: 10_000,
  });
  return parseDigOutput(r.stdout, r.stderr, r.code);
}

/** Polls `check` until true; returns when the successful check began (ms), or throws after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  stepMs = 50,
): Promise<number> {
  const start = Date.now();
  for (;;) {
    // The time a successful check *started*: what it observed was true by then.
    const at = Date.now() - start;
    if (at > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    if (await check()) return at;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export interface AgentProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  output(): string;
}

/** Starts `node <script> <args>` inside the node namespace; killed after the test. */
export function startAgentProcess(
  t: TestContext,
  sim: SimNode,
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): AgentProcess {
  const child = spawn('ip', ['netns', 'exec', sim.node.ns, process.execPath, script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    out = (out + s).slice(-50_000);
  });
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    out = (out + s).slice(-50_000);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  t.after(async () => {
    await stopChild(child);
    // a server child orphaned by SIGKILL stops on its own when its IPC channel closes
  });
  return { child, exited, output: () => out };
}

export type RuleBackend = 'iptables-nft' | 'iptables-legacy' | 'nftables';

/** Node-cache-commented rules in the node namespace, per backend (which one the agent chose). */
export async function ruleCountsByBackend(node: NetnsRunner): Promise<Record<RuleBackend, number>> {
  const iptablesRules = async (saves: readonly string[]): Promise<number> => {
    let n = 0;
    for (const save of saves) {
      const r = await node.run([save]);
      n += r.stdout
        .split('\n')
        .filter((l) => l.startsWith('-A ') && l.includes('NodeLocal DNS Cache')).length;
    }
    return n;
  };
  const nft = await node.run(['nft', 'list', 'table', 'inet', 'nodelocaldns']);
  return {
    // Debian's iptables-save is the nf_tables variant
    'iptables-nft': await iptablesRules(['iptables-save', 'ip6tables-save']),
    'iptables-legacy': await iptablesRules(['iptables-legacy-save', 'ip6tables-legacy-save']),
    // a TCP rule's handshake twin (nftables.ts) is part of that rule, not one more
    nftables:
      nft.code === 0
        ? nft.stdout
            .split('\n')
            .filter(
              (l) => l.includes('comment "NodeLocal DNS Cache') && !l.includes('tcp flags != syn'),
            ).length
        : 0,
  };
}

/** Number of node-cache-commented rules in the node namespace, for any backend. */
export async function installedRuleCount(node: NetnsRunner): Promise<number> {
  const counts = await ruleCountsByBackend(node);
  return counts['iptables-nft'] + counts['iptables-legacy'] + counts.nftables;
}

export async function linkExists(node: NetnsRunner, name = 'nodelocaldns'): Promise<boolean> {
  return (await node.run(['ip', 'link', 'show', name])).code === 0;
}

/** conntrack entries in the node namespace whose original source is `src`. */
export async function conntrackFrom(node: NetnsRunner, src: string): Promise<string[]> {
  const r = await node.run([
    'conntrack',
    '-L',
    '-f',
    src.includes(':') ? 'ipv6' : 'ipv4',
    '-s',
    src,
  ]);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}
