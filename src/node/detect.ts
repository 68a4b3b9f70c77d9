// Picks the rule backend. nftables when kube-proxy runs in nftables mode (its tables are named
// `kube-proxy`), else the iptables flavour that holds kube-proxy's KUBE-* rules (as the
// iptables-wrapper of kube-proxy's image does), else the system's default `iptables`.

import type { RulesBackend } from './backend.ts';
import type { CommandRunner } from './exec.ts';
import { IptablesBackend, type IptablesVariant } from './iptables.ts';
import { NftablesBackend } from './nftables.ts';
import type { RulesBackendChoice } from './types.ts';

export async function kubeProxyUsesNftables(runner: CommandRunner): Promise<boolean> {
  const result = await runner.run(['nft', '-j', 'list', 'tables'], { timeoutMs: 10_000 });
  if (result.code !== 0) return false;
  try {
    const parsed = JSON.parse(result.stdout) as {
      nftables?: Array<{ table?: { name?: unknown } }>;
    };
    return (parsed.nftables ?? []).some((i) => i.table?.name === 'kube-proxy');
  } catch {
    return false;
  }
}

async function kubeRuleCount(runner: CommandRunner, save: string): Promise<number> {
  const result = await runner.run([save], { timeoutMs: 30_000 });
  if (result.code !== 0) return 0;
  return result.stdout.split('\n').filter((l) => l.includes('KUBE-')).length;
}

export async function detectIptablesVariant(runner: CommandRunner): Promise<IptablesVariant> {
  const [legacy, nft] = await Promise.all([
    kubeRuleCount(runner, 'iptables-legacy-save'),
    kubeRuleCount(runner, 'iptables-nft-save'),
  ]);
  if (legacy > nft) return 'iptables-legacy';
  if (nft > legacy) return 'iptables-nft';
  // Neither holds kube-proxy's rules: the system's `iptables`, named by the flavour it is, so
  // the start-up purge of the other flavour never removes the rules in use.
  const version = await runner.run(['iptables', '-V'], { timeoutMs: 10_000 });
  if (version.stdout.includes('nf_tables')) return 'iptables-nft';
  if (version.stdout.includes('legacy')) return 'iptables-legacy';
  return 'iptables';
}

export async function selectBackend(
  runner: CommandRunner,
  choice: RulesBackendChoice,
  waitSeconds: number,
): Promise<RulesBackend> {
  if (choice === 'nftables') return new NftablesBackend(runner);
  if (choice !== 'auto') return new IptablesBackend(runner, choice, waitSeconds);
  if (await kubeProxyUsesNftables(runner)) return new NftablesBackend(runner);
  return new IptablesBackend(runner, await detectIptablesVariant(runner), waitSeconds);
}
