// Server block keys: `zone[:port]`, `dns://zone[:port]`, `[v6]` hosts are not keys; a CIDR key
// expands to its reverse zones (`10.0.0.0/15` → `0.10.in-addr.arpa.` and `1.10.in-addr.arpa.`).

import { isIP } from 'node:net';
import { normalizeName } from '../dns/name.ts';
import { CorefileError } from './errors.ts';
import type { Token } from './model.ts';

export interface ServerKey {
  readonly zones: readonly string[];
  readonly port: number;
}

export function parseServerKey(token: Token, defaultPort: number): ServerKey {
  let text = token.text;
  const fail = (message: string): CorefileError =>
    new CorefileError('ERR_COREFILE_VALUE', message, { file: token.file, line: token.line });
  const scheme = /^([a-z0-9+]+):\/\//i.exec(text);
  if (scheme !== null) {
    if (scheme[1]?.toLowerCase() !== 'dns')
      throw fail(`server block key '${text}': only dns:// is supported`);
    text = text.slice(scheme[0].length);
  }
  let port = defaultPort;
  // The port follows the last colon, unless the key is an IPv6 CIDR (which has many colons).
  const colon = text.lastIndexOf(':');
  if (colon >= 0 && !text.includes('/')) {
    const portText = text.slice(colon + 1);
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535)
      throw fail(`server block key '${token.text}': invalid port '${portText}'`);
    port = Number(portText);
    text = text.slice(0, colon);
  } else if (text.includes('/') && /\]:\d+$/.test(text)) {
    throw fail(`server block key '${token.text}': write a port after a CIDR as 'cidr:port'`);
  }
  if (text.includes('/')) {
    const slash = text.lastIndexOf('/');
    const tail = text.slice(slash + 1);
    const portMatch = /^(\d+):(\d+)$/.exec(tail);
    if (portMatch !== null) {
      port = Number(portMatch[2]);
      text = `${text.slice(0, slash)}/${portMatch[1]}`;
    }
    return { zones: reverseZones(text, fail), port };
  }
  try {
    return { zones: [normalizeName(text === '' ? '.' : text)], port };
  } catch (err) {
    throw fail(`server block key '${token.text}': ${(err as Error).message}`);
  }
}

function reverseZones(cidr: string, fail: (m: string) => CorefileError): string[] {
  const [ip = '', lenText = ''] = cidr.split('/');
  const bits = Number(lenText);
  const family = isIP(ip);
  if (family === 0 || !/^\d+$/.test(lenText) || bits > (family === 4 ? 32 : 128))
    throw fail(`invalid CIDR '${cidr}'`);
  if (family === 4) {
    const octets = ip.split('.').map(Number);
    const whole = Math.floor(bits / 8);
    const rest = bits % 8;
    const base = octets.slice(0, whole).reverse();
    if (rest === 0) return [`${base.join('.')}${base.length > 0 ? '.' : ''}in-addr.arpa.`];
    const next = (octets[whole] ?? 0) & (0xff << (8 - rest)) & 0xff;
    const zones: string[] = [];
    for (let v = next; v < next + (1 << (8 - rest)); v++)
      zones.push(`${[v, ...base].join('.')}.in-addr.arpa.`);
    return zones;
  }
  const nibbles = expandV6(ip);
  const whole = Math.floor(bits / 4);
  const rest = bits % 4;
  const base = nibbles.slice(0, whole).reverse();
  if (rest === 0) return [`${base.join('.')}${base.length > 0 ? '.' : ''}ip6.arpa.`];
  const next = Number.parseInt(nibbles[whole] ?? '0', 16) & (0xf << (4 - rest)) & 0xf;
  const zones: string[] = [];
  for (let v = next; v < next + (1 << (4 - rest)); v++)
    zones.push(`${[v.toString(16), ...base].join('.')}.ip6.arpa.`);
  return zones;
}

function expandV6(ip: string): string[] {
  // An embedded IPv4 tail (`::ffff:10.0.0.0`) is two groups of hex.
  const v4 = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(2).map((x) => Number(x).toString(16).padStart(2, '0'));
    ip = `${v4[1] ?? ''}${a}${b}:${c}${d}`;
  }
  const [head = '', tail = ''] = ip.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.flatMap((g) => g.padStart(4, '0').split(''));
}
