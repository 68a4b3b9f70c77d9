// IP address text <-> bytes, and the reverse-lookup names (in-addr.arpa / ip6.arpa) of an
// address, for plugins that answer from configured addresses (hosts, whoami, dns64). Pure.

/** The 4 bytes of a dotted-quad IPv4 address, or undefined when `text` is not one. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i] as string;
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    out[i] = value;
  }
  return out;
}

/**
 * The 16 bytes of an IPv6 address (`::` shorthand and an IPv4 tail allowed, a `%zone` suffix
 * ignored), or undefined when `text` is not one.
 */
export function parseIPv6(text: string): Uint8Array | undefined {
  const zone = text.indexOf('%');
  const address = zone >= 0 ? text.slice(0, zone) : text;
  if (!address.includes(':')) return undefined;
  const gap = address.indexOf('::');
  if (gap >= 0 && address.indexOf('::', gap + 1) >= 0) return undefined;
  const left = gap >= 0 ? address.slice(0, gap) : address;
  const right = gap >= 0 ? address.slice(gap + 2) : '';
  const head = groupsOf(left);
  const tail = groupsOf(right);
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (gap >= 0 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(gap >= 0 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((group, i) => {
    out[i * 2] = group >> 8;
    out[i * 2 + 1] = group & 0xff;
  });
  return out;
}

/** 16-bit groups of one side of `::`; a trailing dotted quad counts as two groups. */
function groupsOf(side: string): number[] | undefined {
  if (side === '') return [];
  const fields = side.split(':');
  const groups: number[] = [];
  for (const [i, field] of fields.entries()) {
    if (i === fields.length - 1 && field.includes('.')) {
      const v4 = parseIPv4(field);
      if (v4 === undefined) return undefined;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number));
      groups.push(((v4[2] as number) << 8) | (v4[3] as number));
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(field)) return undefined;
      groups.push(Number.parseInt(field, 16));
    }
  }
  return groups;
}

/** Either family: 4 or 16 bytes, or undefined. */
export function parseIP(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

/** Canonical text (IPv4 dotted quad; IPv6 RFC 5952: lower case, longest zero run as `::`). */
export function formatIP(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not shortened
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** `4.3.2.1.in-addr.arpa.` / nibble-reversed `...ip6.arpa.` for an address's bytes. */
export function reverseName(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${Array.from(bytes).reverse().join('.')}.in-addr.arpa.`;
  let out = '';
  for (let i = 15; i >= 0; i--) {
    const b = bytes[i] as number;
    out += `${(b & 0xf).toString(16)}.${(b >> 4).toString(16)}.`;
  }
  return `${out}ip6.arpa.`;
}

/**
 * The address a reverse name stands for (lower-case name with trailing dot), or undefined when
 * the name is not a complete in-addr.arpa / ip6.arpa address name.
 */
export function addressFromReverse(name: string): Uint8Array | undefined {
  if (name.endsWith('.in-addr.arpa.')) {
    const labels = name.slice(0, -'.in-addr.arpa.'.length).split('.');
    if (labels.length !== 4) return undefined;
    return parseIPv4(labels.reverse().join('.'));
  }
  if (name.endsWith('.ip6.arpa.')) {
    const nibbles = name.slice(0, -'.ip6.arpa.'.length).split('.');
    if (nibbles.length !== 32 || nibbles.some((n) => !/^[0-9a-f]$/.test(n))) return undefined;
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++) {
      const low = Number.parseInt(nibbles[31 - i * 2 - 1] as string, 16);
      const high = Number.parseInt(nibbles[31 - i * 2] as string, 16);
      out[i] = (high << 4) | low;
    }
    return out;
  }
  return undefined;
}
