// The `nameserver` lines of a resolv.conf-format file, read when the Corefile is parsed (as
// CoreDNS does: a changed file needs a reload).

import { readFileSync } from 'node:fs';
import {
  DNS_PORT,
  ipFamily,
  type UpstreamAddress,
  upstreamAddress,
} from '../../upstream/address.ts';

export class ResolvConfError extends Error {
  readonly code: 'ERR_RESOLV_CONF_READ' | 'ERR_RESOLV_CONF_EMPTY' | 'ERR_RESOLV_CONF_BAD_SERVER';
  constructor(code: ResolvConfError['code'], message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ResolvConfError';
    this.code = code;
  }
}

/** Upstreams from the file's nameserver lines, port 53, IPv6 zones dropped. */
export function readResolvConf(path: string): UpstreamAddress[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ResolvConfError('ERR_RESOLV_CONF_READ', `cannot read ${path}`, { cause: err });
  }
  return parseResolvConf(text, path);
}

export function parseResolvConf(text: string, path: string): UpstreamAddress[] {
  const servers: UpstreamAddress[] = [];
  for (const raw of text.split('\n')) {
    const fields = raw
      .replace(/[#;].*$/, '')
      .trim()
      .split(/\s+/);
    if (fields[0] !== 'nameserver' || fields[1] === undefined) continue;
    const percent = fields[1].indexOf('%');
    const host = percent >= 0 ? fields[1].slice(0, percent) : fields[1];
    if (ipFamily(host) === 0) {
      throw new ResolvConfError(
        'ERR_RESOLV_CONF_BAD_SERVER',
        `${path}: nameserver '${fields[1]}' is not an IP address`,
      );
    }
    servers.push(upstreamAddress(host, DNS_PORT));
  }
  if (servers.length === 0)
    throw new ResolvConfError('ERR_RESOLV_CONF_EMPTY', `no nameservers found in ${path}`);
  return servers;
}
