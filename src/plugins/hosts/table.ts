// The hosts data: /etc/hosts lines (`ADDRESS NAME [ALIASES...]`, `#` comments) parsed into
// lookups by name and by address, as CoreDNS's hostsfile.go does: names are lower-cased and
// made absolute, names outside the plugin's zones are skipped, and a line with an unparsable
// address is ignored.

import { formatIP, parseIP } from '../../dns/address.ts';
import { normalizeName } from '../../dns/name.ts';
import { matchZone } from '../../dns/zone-match.ts';

export class HostsTable {
  readonly v4 = new Map<string, Uint8Array[]>();
  readonly v6 = new Map<string, Uint8Array[]>();
  /** Canonical address text -> names, for PTR answers (empty with no_reverse). */
  readonly byAddress = new Map<string, string[]>();

  /** CoreDNS's coredns_hosts_entries: addresses by name plus names by address. */
  get entries(): number {
    let n = 0;
    for (const map of [this.v4, this.v6, this.byAddress])
      for (const list of map.values()) n += list.length;
    return n;
  }

  has(name: string): boolean {
    return this.v4.has(name) || this.v6.has(name);
  }

  /** Appends `other`'s entries after this table's own (inline lines after the file's). */
  append(other: HostsTable): void {
    appendAll(this.v4, other.v4);
    appendAll(this.v6, other.v6);
    appendAll(this.byAddress, other.byAddress);
  }
}

function appendAll<T>(into: Map<string, T[]>, from: ReadonlyMap<string, readonly T[]>): void {
  for (const [key, values] of from) into.set(key, [...(into.get(key) ?? []), ...values]);
}

function add<T>(into: Map<string, T[]>, key: string, value: T): void {
  const list = into.get(key);
  if (list === undefined) into.set(key, [value]);
  else list.push(value);
}

export interface TableOptions {
  readonly zones: readonly string[];
  readonly reverse: boolean;
}

export function parseHostsText(text: string, options: TableOptions): HostsTable {
  const table = new HostsTable();
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#');
    const fields = (hash >= 0 ? raw.slice(0, hash) : raw).split(/\s+/).filter((f) => f !== '');
    if (fields.length < 2) continue;
    const address = parseIP(fields[0] as string);
    if (address === undefined) continue;
    const byName = address.length === 4 ? table.v4 : table.v6;
    const key = formatIP(address);
    for (const field of fields.slice(1)) {
      let name: string;
      try {
        name = normalizeName(field);
      } catch {
        continue;
      }
      if (matchZone(name, options.zones) === undefined) continue;
      add(byName, name, address);
      if (options.reverse) add(table.byAddress, key, name);
    }
  }
  return table;
}
