// Shared types of the node agent: error kinds counted in coredns_nodecache_setup_errors_total,
// the rule backends, and the options the CLI hands to the agent.

import type { TcpLimits } from '../server/tcp-limits.ts';

export const SETUP_ERROR_TYPES = [
  'iptables',
  'iptables_lock',
  'interface_add',
  'interface_check',
  'configmap',
] as const;
export type SetupErrorType = (typeof SETUP_ERROR_TYPES)[number];
export type SetupErrorCounts = Record<SetupErrorType, number>;

export const RULES_BACKENDS = [
  'auto',
  'iptables',
  'iptables-legacy',
  'iptables-nft',
  'nftables',
] as const;
export type RulesBackendChoice = (typeof RULES_BACKENDS)[number];

export type IpFamily = 4 | 6;

/** Everything the agent needs, validated; produced by the CLI from node-cache's flags. */
export interface AgentOptions {
  readonly localIps: readonly string[];
  readonly setupInterface: boolean;
  readonly interfaceName: string;
  readonly interfaceType: string;
  readonly setupRules: boolean;
  readonly rulesBackend: RulesBackendChoice;
  readonly iptablesWaitSeconds: number;
  readonly syncIntervalMs: number;
  /** host:port for the setup-errors /metrics listener; '' disables it. */
  readonly metricsListenAddress: string;
  readonly prometheusListenAddress: string;
  readonly baseCorefile: string;
  /** Where the rendered Corefile is written and served from. */
  readonly corefilePath: string;
  /** kube-dns ConfigMap directory; undefined = none. */
  readonly kubeDnsConfigDir: string | undefined;
  readonly upstreamSvc: string;
  readonly healthPort: number;
  readonly dnsPort: number;
  readonly skipTeardown: boolean;
  readonly pidfile: string | undefined;
  readonly resolvConf: string;
  readonly configSyncIntervalMs: number;
  /** Delay before retrying a server start that failed. */
  readonly restartDelayMs: number;
  /** Threads serving DNS (`-workers`): a number or `auto` (node/cpu-quota.ts); default 1. */
  readonly workers?: number | 'auto';
  /** DNS-over-TCP limits set by flags (-tcp-*); the rest keep their defaults. */
  readonly tcpLimits?: Partial<TcpLimits>;
}

/** Whether the node diverts DNS to the agent, as of the last check (status page, metrics). */
export interface InterceptionState {
  /** Rule backend in use ('' before the first sync or with -setupiptables=false). */
  readonly backend: string;
  /** Rules installed at the last successful sync. */
  readonly rules: number;
  /** Local IPs found on the interface at the last check. */
  readonly addresses: readonly string[];
}

/** A counter sink for setup errors (the agent's metrics registry implements it). */
export interface SetupErrorSink {
  count(type: SetupErrorType): void;
}

export function zeroCounts(): SetupErrorCounts {
  return { iptables: 0, iptables_lock: 0, interface_add: 0, interface_check: 0, configmap: 0 };
}

export function familyOf(ip: string): IpFamily {
  return ip.includes(':') ? 6 : 4;
}
