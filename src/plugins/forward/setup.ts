// `forward FROM TO... { options }` → ForwardConfig, with CoreDNS v1.13's rules and messages
// (plugin/forward/setup.go). Errors carry file:line; DoH upstreams are refused as in CoreDNS.

import type { BlockInfo } from '../../chain/definition.ts';
import { parseServerKey } from '../../corefile/keys.ts';
import type { DirectiveReader, Token } from '../../corefile/model.ts';
import { parseRcodeName, Rcode } from '../../dns/constants.ts';
import { normalizeName } from '../../dns/name.ts';
import { parseHostPort, upstreamAddress } from '../../upstream/address.ts';
import { parseTimerDuration } from '../../util/duration.ts';
import {
  DEFAULT_EXPIRE_MS,
  DEFAULT_HEALTH_CHECK_MS,
  DEFAULT_MAX_FAILS,
  type ForwardConfig,
  type ForwardTarget,
  type HealthCheckConfig,
  MAX_UPSTREAMS,
  POLICIES,
  type Policy,
  TLS_PORT,
} from './config.ts';
import { ResolvConfError, readResolvConf } from './resolv.ts';
import { parseTlsOption, parseTlsServerName } from './tls.ts';

const UINT32_MAX = 0xffffffff;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function parseForward(d: DirectiveReader, _block?: BlockInfo): ForwardConfig {
  d.expectArgs(2, Number.POSITIVE_INFINITY);
  const [fromToken, ...toTokens] = d.directive.args as [Token, ...Token[]];
  const config: Mutable<ForwardConfig> = {
    from: parseFrom(d, fromToken),
    to: parseTo(d, toTokens),
    tls: {},
    except: [],
    forceTcp: false,
    preferUdp: false,
    expireMs: DEFAULT_EXPIRE_MS,
    maxFails: DEFAULT_MAX_FAILS,
    healthCheck: { intervalMs: DEFAULT_HEALTH_CHECK_MS, recursionDesired: true, domain: '.' },
    policy: 'random',
    maxConcurrent: 0,
    next: [],
    failover: [],
    failfastAllUnhealthyUpstreams: false,
    maxConnectAttempts: 0,
  };
  let serverName: string | undefined;
  for (const o of d.options()) {
    if (o.directive.name === 'tls_servername') serverName = parseTlsServerName(o);
    else parseOption(o, config);
  }
  // As in CoreDNS, tls_servername applies whether it comes before or after `tls`.
  if (serverName !== undefined) config.tls = { ...config.tls, serverName };
  return config;
}

function parseFrom(d: DirectiveReader, token: Token): string {
  try {
    // Same rules as a server block key: `dns://` and a port are stripped, a CIDR becomes its
    // reverse zone; only the first zone of a non-octet CIDR is used, as in CoreDNS.
    const zones = parseServerKey(token, 53).zones;
    if (zones[0] !== undefined) return zones[0];
  } catch {
    // reported below with forward's wording
  }
  throw d.error('ERR_COREFILE_VALUE', `unable to normalize '${token.text}'`, token);
}

function parseTo(d: DirectiveReader, tokens: readonly Token[]): ForwardTarget[] {
  const out: ForwardTarget[] = [];
  for (const token of tokens) {
    let text = token.text;
    let tls = false;
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
    if (scheme !== null) {
      const proto = (scheme[1] as string).toLowerCase();
      if (proto !== 'dns' && proto !== 'tls') {
        throw d.error(
          'ERR_COREFILE_VALUE',
          `'${proto}' is not supported as a destination protocol in forward: ${token.text}`,
          token,
        );
      }
      tls = proto === 'tls';
      text = text.slice(scheme[0].length);
    }
    if (text === '') throw d.error('ERR_COREFILE_VALUE', `invalid address: "${token.text}"`, token);
    const address = parseHostPort(text, tls ? TLS_PORT : undefined);
    if (address !== undefined) {
      out.push({ ...address, tls });
      continue;
    }
    try {
      // A resolv.conf's nameservers, on port 853 when given as tls:// (CoreDNS HostPortOrFile).
      for (const a of readResolvConf(text))
        out.push({ ...(tls ? upstreamAddress(a.host, TLS_PORT) : a), tls });
    } catch (err) {
      if (!(err instanceof ResolvConfError)) throw err;
      const message =
        err.code === 'ERR_RESOLV_CONF_READ' ? `not an IP address or file: "${text}"` : err.message;
      throw d.error('ERR_COREFILE_VALUE', message, token);
    }
  }
  if (out.length > MAX_UPSTREAMS) {
    throw d.error('ERR_COREFILE_VALUE', `more than ${MAX_UPSTREAMS} TOs configured: ${out.length}`);
  }
  return out;
}

function parseOption(o: DirectiveReader, config: Mutable<ForwardConfig>): void {
  o.expectNoBlock();
  const name = o.directive.name;
  switch (name) {
    case 'except': {
      const names = o.expectArgs(1, Number.POSITIVE_INFINITY);
      config.except = [...config.except, ...names.map((n, i) => parseZone(o, n, i))];
      return;
    }
    case 'force_tcp':
      o.expectArgs(0);
      config.forceTcp = true;
      return;
    case 'prefer_udp':
      o.expectArgs(0);
      config.preferUdp = true;
      return;
    case 'failfast_all_unhealthy_upstreams':
      o.expectArgs(0);
      config.failfastAllUnhealthyUpstreams = true;
      return;
    case 'expire':
      config.expireMs = parseDuration(o, o.expectArgs(1)[0] as string);
      return;
    case 'max_fails':
      config.maxFails = parseUint32(o, o.expectArgs(1)[0] as string);
      return;
    case 'max_connect_attempts':
      config.maxConnectAttempts = parseUint32(o, o.expectArgs(1)[0] as string);
      return;
    case 'health_check':
      config.healthCheck = parseHealthCheck(o);
      return;
    case 'policy': {
      const policy = o.expectArgs(1)[0] as string;
      if (!(POLICIES as readonly string[]).includes(policy))
        throw o.error('ERR_COREFILE_VALUE', `unknown policy '${policy}'`);
      config.policy = policy as Policy;
      return;
    }
    case 'max_concurrent': {
      const text = o.expectArgs(1)[0] as string;
      if (!/^[+-]?\d+$/.test(text))
        throw o.error('ERR_COREFILE_VALUE', `max_concurrent: invalid integer '${text}'`);
      const n = Number(text);
      if (n < 0) throw o.error('ERR_COREFILE_VALUE', `max_concurrent can't be negative: ${n}`);
      config.maxConcurrent = n;
      return;
    }
    case 'next':
      config.next = parseRcodes(o, false);
      return;
    case 'failover':
      config.failover = parseRcodes(o, true);
      return;
    case 'tls':
      config.tls = parseTlsOption(o);
      return;
    default:
      throw o.unknownOption();
  }
}

function parseZone(o: DirectiveReader, text: string, index: number): string {
  try {
    const token = o.directive.args[index] ?? {
      text,
      file: o.directive.file,
      line: o.directive.line,
    };
    const zone = parseServerKey(token, 53).zones[0];
    if (zone !== undefined) return zone;
  } catch {
    // reported below
  }
  throw o.error('ERR_COREFILE_VALUE', `${o.directive.name}: unable to normalize '${text}'`);
}

function parseDuration(o: DirectiveReader, text: string): number {
  let ms: number;
  try {
    ms = parseTimerDuration(text);
  } catch (err) {
    throw o.error('ERR_COREFILE_VALUE', `${o.directive.name}: ${(err as Error).message}`);
  }
  if (ms < 0) throw o.error('ERR_COREFILE_VALUE', `${o.directive.name} can't be negative: ${text}`);
  return ms;
}

function parseUint32(o: DirectiveReader, text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n <= UINT32_MAX))
    throw o.error('ERR_COREFILE_VALUE', `${o.directive.name}: invalid unsigned integer '${text}'`);
  return n;
}

function parseHealthCheck(o: DirectiveReader): HealthCheckConfig {
  const args = o.expectArgs(1, Number.POSITIVE_INFINITY);
  const intervalMs = parseDuration(o, args[0] as string);
  let recursionDesired = true;
  let domain = '.';
  for (let i = 1; i < args.length; i++) {
    const word = args[i] as string;
    if (word === 'no_rec') {
      recursionDesired = false;
    } else if (word === 'domain') {
      const name = args[++i];
      if (name === undefined)
        throw o.error('ERR_COREFILE_ARGS', 'health_check: domain needs a name');
      domain = checkDomain(o, name);
    } else {
      throw o.error('ERR_COREFILE_VALUE', `health_check: unknown option ${word}`);
    }
  }
  return { intervalMs, recursionDesired, domain };
}

function checkDomain(o: DirectiveReader, name: string): string {
  try {
    return normalizeName(name);
  } catch {
    throw o.error('ERR_COREFILE_VALUE', `health_check: invalid domain name ${name}`);
  }
}

/** Rcode names (case-insensitive); `failover` refuses NOERROR as CoreDNS does. */
function parseRcodes(o: DirectiveReader, isFailover: boolean): number[] {
  const out: number[] = [];
  for (const name of o.expectArgs(1, Number.POSITIVE_INFINITY)) {
    const rcode = parseRcodeName(name);
    if (rcode === undefined) throw o.error('ERR_COREFILE_VALUE', `${name} is not a valid rcode`);
    if (isFailover && rcode === Rcode.NOERROR)
      throw o.error('ERR_COREFILE_VALUE', 'NoError cannot be used in failover');
    out.push(rcode);
  }
  return out;
}
