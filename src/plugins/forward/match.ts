// Zone tests on the wire form of the question name, so routing a query costs no string.

import { lowerByte, nameToWire } from '../../dns/name.ts';

/** Lower-case wire form of a normalised zone. */
export function zoneWire(zone: string): Uint8Array {
  return nameToWire(zone.toLowerCase());
}

/**
 * True when the uncompressed name at [start, end) equals `zone` or lies below it, ignoring
 * ASCII case. `zone` is lower-case wire form.
 */
export function nameWithin(
  wire: Uint8Array,
  start: number,
  end: number,
  zone: Uint8Array,
): boolean {
  const zoneLength = zone.length;
  if (zoneLength === 1) return true; // the root holds every name
  let pos = start;
  // Skip whole labels until the rest is no longer than the zone: a match must start on a label.
  while (end - pos > zoneLength) pos += (wire[pos] as number) + 1;
  if (end - pos !== zoneLength) return false;
  for (let i = 0; i < zoneLength; i++) {
    if (lowerByte(wire[pos + i] as number) !== zone[i]) return false;
  }
  return true;
}
