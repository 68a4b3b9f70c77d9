// Zone arguments as CoreDNS plugins take them (`hosts FILE ZONES...`, `fallthrough ZONES...`):
// normalised names, the block's zones when none are given, a file:line error for a bad one.

import type { DirectiveReader } from '../corefile/model.ts';
import { normalizeName } from '../dns/name.ts';

/** Normalised zones from `args`, or `defaults` when `args` is empty. */
export function zoneArgs(
  d: DirectiveReader,
  args: readonly string[],
  defaults: readonly string[],
): string[] {
  if (args.length === 0) return [...defaults];
  return args.map((zone) => {
    try {
      return normalizeName(zone);
    } catch (err) {
      throw d.error('ERR_COREFILE_VALUE', `invalid zone '${zone}': ${(err as Error).message}`);
    }
  });
}

/**
 * CoreDNS's `fallthrough [ZONES...]` (plugin/pkg/fall): without zones every name falls
 * through; with zones only names inside them.
 */
export function fallthroughArgs(d: DirectiveReader): readonly string[] {
  return zoneArgs(d, d.args, ['.']);
}
