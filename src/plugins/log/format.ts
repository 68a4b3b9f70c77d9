// CoreDNS's query log line, from a format of {placeholders}, compiled once per rule.

import type { Request, ResponseWriter } from '../../chain/handler.ts';
import {
  className,
  Flag,
  OPCODE_MASK,
  OPCODE_SHIFT,
  Rcode,
  rcodeName,
  typeName,
} from '../../dns/constants.ts';
import { walkMessage } from '../../dns/message.ts';
import { readName } from '../../dns/name.ts';

type Part = (req: Request, w: ResponseWriter, durationMs: number) => string;

const bracket = (ip: string): string => (ip.includes(':') ? `[${ip}]` : ip);

const FLAG_NAMES: ReadonlyArray<[number, string]> = [
  [Flag.QR, 'qr'],
  [Flag.AA, 'aa'],
  [Flag.TC, 'tc'],
  [Flag.RD, 'rd'],
  [Flag.RA, 'ra'],
  [Flag.Z, 'z'],
  [Flag.AD, 'ad'],
  [Flag.CD, 'cd'],
];

const PLACEHOLDERS: Record<string, Part> = {
  type: (r) => typeName(r.query.qtype),
  class: (r) => className(r.query.qclass),
  name: (r) => readName(r.query.wire, 12).toLowerCase(),
  proto: (r) => r.transport,
  remote: (r) => bracket(r.remoteAddress),
  port: (r) => String(r.remotePort),
  size: (r) => String(r.query.wire.length),
  rcode: (_r, w) => (w.written ? rcodeName(w.rcode) : '-'),
  rsize: (_r, w) => String(w.size),
  duration: (_r, _w, ms) => `${(ms / 1000).toFixed(9).replace(/0+$/, '').replace(/\.$/, '')}s`,
  '>id': (r) => String(r.query.id),
  '>opcode': (r) => String((r.query.flags & OPCODE_MASK) >> OPCODE_SHIFT),
  '>do': (r) => String(r.query.dnssecOk),
  '>bufsize': (r) => String(r.transport === 'tcp' ? 65535 : r.query.udpLimit),
  '>rflags': (_r, w) => {
    if (w.reply === undefined) return '-';
    const flags = w.reply.readUInt16BE(2);
    return FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0)
      .map(([, name]) => name)
      .join(',');
  },
};

export function compileFormat(format: string): Part {
  const parts: Part[] = [];
  const re = /\{([^{}]+)\}/g;
  let last = 0;
  for (let m = re.exec(format); m !== null; m = re.exec(format)) {
    const literal = format.slice(last, m.index);
    if (literal !== '') parts.push(() => literal);
    parts.push(PLACEHOLDERS[m[1] as string] ?? (() => '-'));
    last = m.index + m[0].length;
  }
  const tail = format.slice(last);
  if (tail !== '') parts.push(() => tail);
  return (req, w, ms) => {
    let out = '';
    for (const part of parts) out += part(req, w, ms);
    return out;
  };
}

/** success = NOERROR with answers or a delegation; denial = NXDOMAIN or NODATA; error = the rest. */
export function classify(w: ResponseWriter): 'success' | 'denial' | 'error' {
  const reply = w.reply;
  if (reply === undefined) return 'error';
  if (w.rcode === Rcode.NXDOMAIN) return 'denial';
  if (w.rcode !== Rcode.NOERROR) return 'error';
  if (reply.readUInt16BE(6) > 0) return 'success';
  try {
    return walkMessage(reply).soa !== undefined ? 'denial' : 'success';
  } catch {
    return 'error';
  }
}
