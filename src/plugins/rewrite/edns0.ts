// rewrite's edns0 rules on a query's option list (CoreDNS plugin/rewrite/edns0.go): EDNS0_LOCAL
// with literal, hex or variable data, NSID, and client subnet from the client's address.

import type { Request } from '../../chain/handler.ts';
import { parseIP } from '../../dns/address.ts';
import { HEADER_LENGTH } from '../../dns/constants.ts';
import { readName } from '../../dns/name.ts';
import type { EdnsOption } from '../../dns/query-rewrite.ts';
import type { EdnsAction, EdnsRule } from './rules.ts';

const NSID = 3;
const SUBNET = 8;

/** The new option list, or undefined when the rule does not apply (replace without a match…). */
export function applyEdnsRule(
  options: readonly EdnsOption[],
  action: EdnsAction,
  rule: EdnsRule,
  req: Request,
): EdnsOption[] | undefined {
  const option = buildOption(rule, req);
  const at = options.findIndex((o) => o.code === option.code);
  if (at >= 0) {
    if (action === 'append') return undefined;
    const out = [...options];
    out[at] = option;
    return out;
  }
  if (action === 'replace') return undefined;
  return [...options, option];
}

function u16(n: number): Uint8Array {
  return Uint8Array.of(n >> 8, n & 0xff);
}

function buildOption(rule: EdnsRule, req: Request): EdnsOption {
  if (rule.option === 'nsid') return { code: NSID, data: new Uint8Array(0) };
  if (rule.option === 'subnet') return { code: SUBNET, data: subnetData(rule, req.remoteAddress) };
  return { code: rule.code, data: rule.hex ?? localData(rule.data, req) };
}

/** CoreDNS's variables ({qname}, {client_ip}, ...) in binary form; a label without a producer is empty. */
function localData(data: string, req: Request): Uint8Array {
  if (!(data.startsWith('{') && data.endsWith('}'))) return Buffer.from(data, 'utf8');
  const q = req.query;
  const server = /^dns:\/\/\[?([^\]]*?)\]?:(\d+)$/.exec(req.server);
  switch (data) {
    case '{qname}':
      return Buffer.from(readName(q.wire, HEADER_LENGTH).toLowerCase(), 'latin1');
    case '{qtype}':
      return u16(q.qtype);
    case '{client_ip}':
      return parseIP(req.remoteAddress) ?? new Uint8Array(0);
    case '{client_port}':
      return u16(req.remotePort);
    case '{protocol}':
      return Buffer.from(req.transport, 'latin1');
    case '{server_ip}':
      return parseIP(server?.[1] ?? '') ?? new Uint8Array(0);
    case '{server_port}':
      return u16(Number(server?.[2] ?? 0));
    default:
      return new Uint8Array(0); // metadata labels: no producers here
  }
}

function subnetData(rule: { v4Bits: number; v6Bits: number }, address: string): Uint8Array {
  const mapped =
    address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  const ip = parseIP(mapped) ?? new Uint8Array(4);
  const v4 = ip.length === 4;
  const bits = v4 ? rule.v4Bits : rule.v6Bits;
  const bytes = Math.ceil(bits / 8);
  const masked = ip.slice(0, bytes);
  if (bits % 8 !== 0 && bytes > 0)
    masked[bytes - 1] = (masked[bytes - 1] as number) & (0xff << (8 - (bits % 8)));
  return Uint8Array.from([...u16(v4 ? 1 : 2), bits, 0, ...masked]);
}
