import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { DirectiveReader } from '../../corefile/model.ts';

export interface BindConfig {
  /** Addresses to listen on, interfaces expanded, `except` removed. */
  readonly addresses: readonly string[];
}

/** `bind ADDRESS|IFACE... { except ADDRESS|IFACE... }` */
export function parseBind(d: DirectiveReader, interfaces = networkInterfaces()): BindConfig {
  d.expectArgs(1, Number.POSITIVE_INFINITY);
  const expand = (items: readonly string[]): string[] =>
    items.flatMap((item) => {
      if (isIP(item) !== 0) return [item];
      const nic = interfaces[item];
      if (nic === undefined)
        throw d.error('ERR_COREFILE_VALUE', `not a valid IP address or interface name: '${item}'`);
      return nic.map((a) =>
        a.family === 'IPv6' && a.address.startsWith('fe80:') ? `${a.address}%${item}` : a.address,
      );
    });
  const except = new Set<string>();
  for (const option of d.options()) {
    if (option.directive.name !== 'except') throw option.unknownOption();
    for (const a of expand(option.expectArgs(1, Number.POSITIVE_INFINITY))) except.add(a);
  }
  const addresses = [...new Set(expand(d.args))].filter((a) => !except.has(a));
  if (addresses.length === 0)
    throw d.error('ERR_COREFILE_VALUE', 'every address was excluded by except');
  return { addresses };
}
