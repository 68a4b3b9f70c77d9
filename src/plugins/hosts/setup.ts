// `hosts [FILE [ZONES...]] { INLINE...; ttl SECONDS; no_reverse; reload DURATION;
// fallthrough [ZONES...] }` parsed as CoreDNS's plugin/hosts/setup.go does.

import type { BlockInfo } from '../../chain/definition.ts';
import { fallthroughArgs, zoneArgs } from '../../config/zone-args.ts';
import type { DirectiveReader } from '../../corefile/model.ts';
import { parseIP } from '../../dns/address.ts';
import { parseTimerDuration } from '../../util/duration.ts';

export interface HostsConfig {
  /** The hosts file, as written (relative paths are relative to the working directory). */
  readonly path: string;
  readonly zones: readonly string[];
  readonly ttl: number;
  /** PTR records for the entries (off with no_reverse). */
  readonly reverse: boolean;
  /** Interval between checks of the file for changes; 0 = never. */
  readonly reloadMs: number;
  /** Zones that fall through on NXDOMAIN; undefined without `fallthrough`. */
  readonly fallthrough: readonly string[] | undefined;
  /** The inline lines, in hosts-file form. */
  readonly inline: readonly string[];
}

export const DEFAULT_HOSTS_FILE = '/etc/hosts';
export const DEFAULT_TTL = 3600;
export const DEFAULT_RELOAD_MS = 5000;

export function parseHosts(d: DirectiveReader, block: BlockInfo): HostsConfig {
  const [path = DEFAULT_HOSTS_FILE, ...zoneTokens] = d.args;
  const zones = zoneArgs(d, zoneTokens, block.zones);
  let ttl = DEFAULT_TTL;
  let reverse = true;
  let reloadMs = DEFAULT_RELOAD_MS;
  let fallthrough: readonly string[] | undefined;
  const inline: string[] = [];
  for (const o of d.options()) {
    const name = o.directive.name;
    if (name === 'ttl') {
      const [value = ''] = o.expectArgs(1);
      const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!(n > 0 && n <= 65535))
        throw o.error('ERR_COREFILE_VALUE', `ttl provided is invalid: '${value}' (1 to 65535)`);
      ttl = n;
    } else if (name === 'no_reverse') {
      o.expectArgs(0);
      reverse = false;
    } else if (name === 'reload') {
      const [value = ''] = o.expectArgs(1);
      try {
        reloadMs = parseTimerDuration(value);
      } catch (err) {
        throw o.error('ERR_COREFILE_VALUE', (err as Error).message);
      }
      if (reloadMs < 0)
        throw o.error('ERR_COREFILE_VALUE', `invalid negative duration for reload: '${value}'`);
    } else if (name === 'fallthrough') {
      fallthrough = fallthroughArgs(o);
    } else if (parseIP(name) !== undefined) {
      if (o.args.length === 0)
        throw o.error('ERR_COREFILE_ARGS', `inline entry '${name}' has no host name`);
      if (o.directive.block !== undefined)
        throw o.error('ERR_COREFILE_SYNTAX', 'an inline entry takes no block');
      inline.push([name, ...o.args].join(' '));
    } else {
      throw o.error(
        'ERR_COREFILE_SYNTAX',
        `unknown property '${name}' (nor an IP address starting an inline entry)`,
      );
    }
  }
  return { path, zones, ttl, reverse, reloadMs, fallthrough, inline };
}
