// Where an upstream lives. Only IP literals: the forward plugin reads resolv.conf files at parse
// time and never resolves host names (CoreDNS v1.13 does not either).

import { isIP } from 'node:net';

export interface UpstreamAddress {
  /** The IP literal, without brackets; an IPv6 address may carry a `%zone`. */
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** `IP:port` or `[IPv6]:port`, as CoreDNS's `to` metric label and log lines show it. */
  readonly label: string;
}

export const DNS_PORT = 53;

/** Family of an IP literal (a `%zone` suffix allowed on IPv6), or 0 when it is not one. */
export function ipFamily(host: string): 0 | 4 | 6 {
  const percent = host.indexOf('%');
  const bare = percent >= 0 ? host.slice(0, percent) : host;
  const family = isIP(bare);
  if (family === 6) return 6;
  return family === 4 && percent < 0 ? 4 : 0;
}

export function upstreamAddress(host: string, port: number): UpstreamAddress {
  const family = ipFamily(host);
  if (family === 0) throw new TypeError(`not an IP address: ${host}`);
  const label = family === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, family, label };
}

/**
 * Parses `IP`, `IP:port` or `[IPv6]:port` (Go's net.SplitHostPort rules); undefined when the
 * text is not one of those.
 */
export function parseHostPort(text: string, defaultPort = DNS_PORT): UpstreamAddress | undefined {
  if (ipFamily(text) !== 0) return upstreamAddress(text, defaultPort);
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || text[close + 1] !== ':') return undefined;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (ipFamily(host) !== 6) return undefined;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon < 0 || text.indexOf(':') !== colon) return undefined;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (ipFamily(host) !== 4) return undefined;
  }
  if (!/^\d{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  return upstreamAddress(host, port);
}
