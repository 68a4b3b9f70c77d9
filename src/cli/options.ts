// From parsed flags to validated AgentOptions. Invalid values are UsageErrors (node-cache exits
// fatally on a bad -localip or port too); directory probes such as /etc/kube-dns happen later.

import { isIP } from 'node:net';
import { type AgentOptions, RULES_BACKENDS, type RulesBackendChoice } from '../node/types.ts';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../util/log.ts';
import { parseDurationMs, parseSyncIntervalMs } from './duration.ts';
import { type ParsedFlags, parseWholeNumber, UsageError } from './flags.ts';
import { FLAG_SPECS } from './node-cache-flags.ts';
import { parseTcpLimitFlags } from './tcp-limit-flags.ts';

export type CliAction =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'plugins' }
  | {
      readonly kind: 'run';
      readonly options: AgentOptions;
      readonly logging: { readonly format: LogFormat; readonly level: LogLevel };
    };

function getter(flags: ParsedFlags): (name: string) => string {
  const defaults = new Map(FLAG_SPECS.map((s) => [s.name, s.defaultValue]));
  return (name) => flags.values.get(name) ?? defaults.get(name) ?? '';
}

function parsePort(text: string, flag: string): number {
  return parseWholeNumber(text, flag, 1, 65535, 'a port 1-65535');
}

export function parseLocalIps(text: string): string[] {
  if (text.trim() === '')
    throw new UsageError('ERR_FLAG_VALUE', 'flag -localip is required (comma-separated IPs)');
  const ips = text.split(',').map((s) => s.trim());
  for (const ip of ips) {
    if (isIP(ip) === 0)
      throw new UsageError('ERR_FLAG_VALUE', `invalid localip "${ip}": not an IP address`);
  }
  if (new Set(ips).size !== ips.length)
    throw new UsageError('ERR_FLAG_VALUE', `invalid localip "${text}": duplicate address`);
  return ips;
}

function oneOf<T extends string>(allowed: readonly T[], text: string, flag: string): T {
  const found = allowed.find((a) => a === text);
  if (found === undefined)
    throw new UsageError(
      'ERR_FLAG_VALUE',
      `invalid value "${text}" for flag -${flag}: want one of ${allowed.join(', ')}`,
    );
  return found;
}

/** The most `-workers` accepts: more threads than any node has cores only costs memory. */
const MAX_WORKERS = 256;

function parseWorkers(text: string): number | 'auto' {
  if (text === 'auto') return 'auto';
  return parseWholeNumber(text, 'workers', 1, MAX_WORKERS, `auto or a number 1-${MAX_WORKERS}`);
}

function parseBackend(text: string): RulesBackendChoice {
  return oneOf(RULES_BACKENDS, text, 'rules-backend');
}

export function toCliAction(flags: ParsedFlags): CliAction {
  if (flags.help) return { kind: 'help' };
  if (flags.rest.length > 0)
    throw new UsageError(
      'ERR_FLAG_EXTRA_ARGS',
      `extra command line arguments: ${flags.rest.join(' ')}`,
    );
  const get = getter(flags);
  if (get('version') === 'true') return { kind: 'version' };
  if (get('plugins') === 'true') return { kind: 'plugins' };
  const wait = get('iptables-wait');
  if (!/^\d+$/.test(wait))
    throw new UsageError(
      'ERR_FLAG_VALUE',
      `invalid value "${wait}" for flag -iptables-wait: want whole seconds`,
    );
  const interfaceName = get('interfacename');
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(interfaceName))
    throw new UsageError(
      'ERR_FLAG_VALUE',
      `invalid value "${interfaceName}" for flag -interfacename: 1-15 characters of [A-Za-z0-9_.-]`,
    );
  const interfaceType = get('interfacetype');
  if (!/^[a-z0-9_-]+$/.test(interfaceType))
    throw new UsageError(
      'ERR_FLAG_VALUE',
      `invalid value "${interfaceType}" for flag -interfacetype`,
    );
  const conf = get('conf');
  const pidfile = get('pidfile');
  const kubednscm = get('kubednscm');
  return {
    kind: 'run',
    logging: {
      format: oneOf(LOG_FORMATS, get('log-format'), 'log-format'),
      level: oneOf(LOG_LEVELS, get('log-level'), 'log-level'),
    },
    options: {
      localIps: parseLocalIps(get('localip')),
      setupInterface: get('setupinterface') === 'true',
      interfaceName,
      interfaceType,
      setupRules: get('setupiptables') === 'true',
      rulesBackend: parseBackend(get('rules-backend')),
      iptablesWaitSeconds: Number(wait),
      syncIntervalMs: parseSyncIntervalMs(get('syncinterval')),
      metricsListenAddress: get('metrics-listen-address'),
      prometheusListenAddress: get('prometheus-listen-address'),
      baseCorefile: get('basecorefile'),
      corefilePath: conf !== '' ? conf : get('corefile'),
      kubeDnsConfigDir: kubednscm === '' ? undefined : kubednscm,
      upstreamSvc: get('upstreamsvc'),
      healthPort: parsePort(get('health-port'), 'health-port'),
      dnsPort: parsePort(get('dns.port'), 'dns.port'),
      skipTeardown: get('skipteardown') === 'true',
      pidfile: pidfile === '' ? undefined : pidfile,
      resolvConf: get('resolvconf'),
      configSyncIntervalMs: parseDurationMs(get('configsyncinterval'), 'configsyncinterval'),
      restartDelayMs: parseDurationMs(get('restart-delay'), 'restart-delay'),
      workers: parseWorkers(get('workers')),
      tcpLimits: parseTcpLimitFlags(get),
    },
  };
}
