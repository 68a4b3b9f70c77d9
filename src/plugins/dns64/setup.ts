// `dns64 [PREFIX]` or `dns64 { prefix PREFIX; translate_all; allow_ipv4 }` (CoreDNS
// plugin/dns64/setup.go). PREFIX is an IPv6 network of length 32, 40, 48, 56, 64 or 96
// (RFC 6052), default 64:ff9b::/96.

import type { DirectiveReader } from '../../corefile/model.ts';
import { parseIPv6 } from '../../dns/address.ts';

export interface Dns64Config {
  /** The prefix's 16 bytes (host bits zero) and its length. */
  readonly prefix: Uint8Array;
  readonly prefixLength: number;
  readonly translateAll: boolean;
  readonly allowIpv4: boolean;
}

const LENGTHS = [32, 40, 48, 56, 64, 96];

export function parseDns64(d: DirectiveReader): Dns64Config {
  const [inline] = d.expectArgs(0, 1);
  let prefixText = inline ?? '64:ff9b::/96';
  let translateAll = false;
  let allowIpv4 = false;
  for (const o of d.options()) {
    const name = o.directive.name;
    if (name === 'prefix') {
      prefixText = o.expectArgs(1)[0] ?? '';
    } else if (name === 'translate_all') {
      o.expectArgs(0);
      translateAll = true;
    } else if (name === 'allow_ipv4') {
      o.expectArgs(0);
      allowIpv4 = true;
    } else {
      throw o.unknownOption();
    }
  }
  const [address = '', lengthText = ''] = prefixText.split('/');
  const bytes = parseIPv6(address);
  const prefixLength = /^\d+$/.test(lengthText) ? Number(lengthText) : Number.NaN;
  if (bytes === undefined || !LENGTHS.includes(prefixLength))
    throw d.error(
      'ERR_COREFILE_VALUE',
      `invalid prefix '${prefixText}': an IPv6 network of length 32, 40, 48, 56, 64 or 96`,
    );
  const prefix = bytes.slice();
  for (let bit = prefixLength; bit < 128; bit++)
    prefix[bit >> 3] = (prefix[bit >> 3] as number) & ~(0x80 >> (bit & 7));
  return { prefix, prefixLength, translateAll, allowIpv4 };
}

/** RFC 6052 2.2: the IPv4 address after the prefix, skipping bits 64-71 (the "u" octet). */
export function embed(prefix: Uint8Array, prefixLength: number, v4: Uint8Array): Uint8Array {
  const out = prefix.slice(0, 16);
  let at = prefixLength / 8;
  for (const byte of v4) {
    if (at === 8) at++;
    out[at++] = byte;
  }
  return out;
}
