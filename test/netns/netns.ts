// Network namespaces for root-only tests: unique names, commands run inside with argv arrays,
// everything deleted in t.after even when the test fails. Addresses used inside are only from
// 169.254.0.0/16 and fd00::/8; the host's root namespace is never touched.

import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import {
  type CommandResult,
  type CommandRunner,
  ExecFileRunner,
  type RunOptions,
} from '../../src/node/exec.ts';
import { until } from '../helpers/wait.ts';

export const host = new ExecFileRunner();

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Runs every command inside one namespace: `ip netns exec NS argv…`. */
export class NetnsRunner implements CommandRunner {
  readonly ns: string;
  readonly #inner: CommandRunner;
  constructor(ns: string, inner: CommandRunner = host) {
    this.ns = ns;
    this.#inner = inner;
  }
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    return this.#inner.run(['ip', 'netns', 'exec', this.ns, ...argv], options);
  }
  /** Like run, but throws unless exit 0; returns stdout. */
  async must(...argv: string[]): Promise<string> {
    const r = await this.run(argv);
    if (r.code !== 0)
      throw new Error(`[${this.ns}] ${argv.join(' ')}: exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  }
}

export function uniquePrefix(): string {
  return `nld-${randomBytes(3).toString('hex')}`;
}

/** Creates a namespace (lo up) that is deleted after the test. */
export async function createNetns(t: TestContext, name: string): Promise<NetnsRunner> {
  const add = await host.run(['ip', 'netns', 'add', name]);
  if (add.code !== 0) throw new Error(`ip netns add ${name}: ${add.stderr}`);
  t.after(async () => {
    await host.run(['ip', 'netns', 'del', name]);
  });
  const ns = new NetnsRunner(name);
  await ns.must('ip', 'link', 'set', 'lo', 'up');
  // No duplicate address detection: a tentative link-local address delays neighbour discovery
  // for a second after a veth comes up, and the first IPv6 packets would be lost.
  await ns.must(
    'sysctl',
    '-qw',
    'net.ipv6.conf.all.accept_dad=0',
    'net.ipv6.conf.default.accept_dad=0',
  );
  return ns;
}

/** A veth pair between two namespaces, with addresses (prefix included), both ends up. */
export async function vethPair(
  a: NetnsRunner,
  aName: string,
  aAddrs: readonly string[],
  b: NetnsRunner,
  bName: string,
  bAddrs: readonly string[],
): Promise<void> {
  await a.must('ip', 'link', 'add', aName, 'type', 'veth', 'peer', 'name', bName, 'netns', b.ns);
  for (const [ns, dev, addrs] of [
    [a, aName, aAddrs],
    [b, bName, bAddrs],
  ] as const) {
    for (const addr of addrs)
      await ns.must(
        'ip',
        'addr',
        'add',
        addr,
        'dev',
        dev,
        ...(addr.includes(':') ? ['nodad'] : []),
      );
    await ns.must('ip', 'link', 'set', dev, 'up');
  }
  for (const ns of [a, b])
    await until(
      `no tentative IPv6 address in ${ns.ns}`,
      async () => (await ns.must('ip', '-6', 'addr', 'show', 'tentative')).trim() === '',
    );
}

/** Lines of `*-save` output that carry node-cache's comments. */
export async function ownedIptablesLines(ns: NetnsRunner, save: string): Promise<string[]> {
  const out = await ns.must(save);
  return out.split('\n').filter((l) => l.startsWith('-A ') && l.includes('NodeLocal DNS Cache'));
}
