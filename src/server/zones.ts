// Longest-suffix zone choice over the lower-cased wire name in the query key, without building
// presentation names: a suffix is looked up only when its length is the length of some zone.

import { RRType } from '../dns/constants.ts';
import { nameToWire } from '../dns/name.ts';

export class ZoneTable<T> {
  readonly #byWire = new Map<string, { zone: string; value: T }>();
  /** lengthSeen[n] = 1 when some zone is n bytes long in wire form. */
  readonly #lengthSeen = new Uint8Array(256);

  add(zone: string, value: T): void {
    const wire = Buffer.from(nameToWire(zone)).toString('latin1');
    this.#byWire.set(wire, { zone, value });
    this.#lengthSeen[wire.length] = 1;
  }

  get size(): number {
    return this.#byWire.size;
  }

  zones(): string[] {
    return [...this.#byWire.values()].map((e) => e.zone);
  }

  /**
   * The longest zone containing the name whose wire form (lower case) is key[0, nameLength).
   * For DS queries the parent side of a zone cut answers, so an exact match on a zone apex is
   * skipped when a shorter zone also matches (CoreDNS does the same).
   */
  match(key: string, nameLength: number, qtype: number): { zone: string; value: T } | undefined {
    let pos = 0;
    let found: { zone: string; value: T } | undefined;
    while (pos < nameLength) {
      const remaining = nameLength - pos;
      if (this.#lengthSeen[remaining] === 1) {
        const hit = this.#byWire.get(key.slice(pos, nameLength));
        if (hit !== undefined) {
          if (!(qtype === RRType.DS && pos === 0 && remaining > 1)) return hit;
          found = hit;
        }
      }
      const labelLength = key.charCodeAt(pos);
      if (labelLength === 0) break;
      pos += labelLength + 1;
    }
    return found;
  }
}
