// Which of a plugin's zones a (lower-case, fully qualified) name falls in: CoreDNS's
// plugin.Zones.Matches, the longest zone that is the name or one of its parents.

import { isSubdomain } from './name.ts';

/** The longest zone containing `name`, or undefined. */
export function matchZone(name: string, zones: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const zone of zones) {
    if (isSubdomain(name, zone) && (best === undefined || zone.length > best.length)) best = zone;
  }
  return best;
}

/** CoreDNS's fall.F.Through: undefined = no fallthrough; otherwise the zones that fall through. */
export function fallsThrough(name: string, zones: readonly string[] | undefined): boolean {
  return zones !== undefined && matchZone(name, zones) !== undefined;
}
