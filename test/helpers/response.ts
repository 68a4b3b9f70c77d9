// Whole responses for the fake upstream (re-exported by rr.ts): ID, RD, CD and the question come
// from the query unless overridden, records come from RRSpecs, and every oddity a forwarder must
// survive can be asked for (mismatched question or ID, owner case, lying counts, trailing bytes).

import {
  EDNS_DO,
  Flag,
  HEADER_LENGTH,
  OPCODE_MASK,
  OPCODE_SHIFT,
  parseTypeName,
  RRType,
} from '../../src/dns/constants.ts';
import { lowerByte, nameToWire, skipName } from '../../src/dns/name.ts';
import { encodeRR, type RRSpec } from './rr.ts';

export interface ResponseOptions {
  query: Uint8Array;
  /** Default NOERROR. Values over 15 put the upper bits in the OPT record (and force one). */
  rcode?: number;
  /** Default: the query's ID. */
  id?: number;
  /** Header bits; defaults: qr, ra, rd and cd copied from the query, the rest clear. */
  flags?: {
    qr?: boolean;
    aa?: boolean;
    tc?: boolean;
    rd?: boolean;
    ra?: boolean;
    ad?: boolean;
    cd?: boolean;
  };
  /** Default: the query's opcode. */
  opcode?: number;
  answer?: readonly RRSpec[];
  authority?: readonly RRSpec[];
  additional?: readonly RRSpec[];
  /** Another question (mismatch tests) or null for none; default: the query's question bytes. */
  question?: { name: string; type: number | string; class?: number } | null;
  /** Owner names as written (`asis`, default), ASCII-folded, or copied from the query's
   * question bytes when equal ignoring case (`query`, what a 0x20-preserving server does). */
  ownerCase?: 'asis' | 'lower' | 'upper' | 'query';
  /** Owners equal to the question name become a pointer to offset 12. Default false. */
  compress?: boolean;
  /** `auto` (default): an OPT when the query has one, UDP size 1232, DO echoed. */
  edns?:
    | 'auto'
    | false
    | {
        udpSize?: number;
        dnssecOk?: boolean;
        version?: number;
        options?: readonly { code: number; data: Uint8Array }[];
      };
  /** Header counts to write instead of the real ones (lying-count tests). */
  counts?: { qd?: number; an?: number; ns?: number; ar?: number };
  /** Bytes appended after the last record. */
  trailing?: Uint8Array;
}

/** Offset just past the question of a message (12 when it has none). */
export function questionEnd(wire: Uint8Array): number {
  if (wire.length < HEADER_LENGTH || (((wire[4] as number) << 8) | (wire[5] as number)) === 0)
    return HEADER_LENGTH;
  return skipName(wire, HEADER_LENGTH) + 4;
}

/** The query's OPT: present, DO bit. Only looks at a trailing root-owned OPT (what queries carry). */
function queryOpt(query: Uint8Array, qEnd: number): { present: boolean; dnssecOk: boolean } {
  const arcount =
    query.length >= HEADER_LENGTH ? ((query[10] as number) << 8) | (query[11] as number) : 0;
  if (arcount === 0 || query.length < qEnd + 11) return { present: false, dnssecOk: false };
  const opt = query.length - 11;
  const isOpt =
    query[opt] === 0 &&
    (((query[opt + 1] as number) << 8) | (query[opt + 2] as number)) === RRType.OPT;
  return { present: isOpt, dnssecOk: isOpt && ((query[opt + 7] as number) & 0x80) !== 0 };
}

function sameNameIgnoringCase(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++)
    if (lowerByte(a[i] as number) !== lowerByte(b[i] as number)) return false;
  return true;
}

function ownerBytes(
  spec: RRSpec,
  opts: ResponseOptions,
  qname: Uint8Array | undefined,
): Uint8Array {
  const wire = Buffer.from(nameToWire(spec.name));
  const mode = opts.ownerCase ?? 'asis';
  if (mode === 'lower' || mode === 'upper') {
    // Only label bytes change; length bytes (< 64) are never letters.
    for (let i = 0; i < wire.length; i++) {
      const b = wire[i] as number;
      wire[i] = mode === 'lower' ? lowerByte(b) : b >= 0x61 && b <= 0x7a ? b & 0xdf : b;
    }
  }
  const owner =
    mode === 'query' && qname !== undefined && sameNameIgnoringCase(wire, qname) ? qname : wire;
  if (opts.compress === true && qname !== undefined && Buffer.compare(owner, qname) === 0)
    return Buffer.from([0xc0, 0x0c]);
  return owner;
}

function optRecord(
  opts: ResponseOptions,
  fromQuery: { present: boolean; dnssecOk: boolean },
  rcode: number,
): Buffer | undefined {
  const edns = opts.edns ?? 'auto';
  if (edns === false) return undefined;
  const wanted = edns !== 'auto' || fromQuery.present || rcode > 0xf;
  if (!wanted) return undefined;
  const cfg = edns === 'auto' ? {} : edns;
  const options = Buffer.concat(
    (cfg.options ?? []).flatMap((o) => {
      const head = Buffer.alloc(4);
      head.writeUInt16BE(o.code, 0);
      head.writeUInt16BE(o.data.length, 2);
      return [head, Buffer.from(o.data)];
    }),
  );
  const opt = Buffer.alloc(11);
  opt.writeUInt16BE(RRType.OPT, 1);
  opt.writeUInt16BE(cfg.udpSize ?? 1232, 3);
  opt[5] = (rcode >> 4) & 0xff;
  opt[6] = cfg.version ?? 0;
  opt.writeUInt16BE((cfg.dnssecOk ?? fromQuery.dnssecOk) ? EDNS_DO : 0, 7);
  opt.writeUInt16BE(options.length, 9);
  return Buffer.concat([opt, options]);
}

export function buildResponse(opts: ResponseOptions): Buffer {
  const q = opts.query;
  const qEnd = questionEnd(q);
  const queryFlags = q.length >= 4 ? ((q[2] as number) << 8) | (q[3] as number) : 0;
  let question: Buffer;
  if (opts.question === null) question = Buffer.alloc(0);
  else if (opts.question !== undefined) {
    const type =
      typeof opts.question.type === 'number'
        ? opts.question.type
        : parseTypeName(opts.question.type);
    if (type === undefined) throw new Error(`unknown type ${String(opts.question.type)}`);
    const tail = Buffer.alloc(4);
    tail.writeUInt16BE(type, 0);
    tail.writeUInt16BE(opts.question.class ?? 1, 2);
    question = Buffer.concat([nameToWire(opts.question.name), tail]);
  } else question = Buffer.from(q.subarray(HEADER_LENGTH, qEnd));
  const qname = question.length > 4 ? question.subarray(0, question.length - 4) : undefined;

  const encode = (list: readonly RRSpec[] | undefined): Buffer[] =>
    (list ?? []).map((s) => encodeRR(s, ownerBytes(s, opts, qname)));
  const answer = encode(opts.answer);
  const authority = encode(opts.authority);
  const additional = encode(opts.additional);
  const rcode = opts.rcode ?? 0;
  const opt = optRecord(opts, queryOpt(q, qEnd), rcode);
  if (opt !== undefined) additional.push(opt);

  const f = opts.flags ?? {};
  const bit = (on: boolean | undefined, fallback: boolean, mask: number): number =>
    (on ?? fallback) ? mask : 0;
  const opcode = opts.opcode ?? (queryFlags & OPCODE_MASK) >> OPCODE_SHIFT;
  const flags =
    bit(f.qr, true, Flag.QR) |
    ((opcode << OPCODE_SHIFT) & OPCODE_MASK) |
    bit(f.aa, false, Flag.AA) |
    bit(f.tc, false, Flag.TC) |
    bit(f.rd, (queryFlags & Flag.RD) !== 0, Flag.RD) |
    bit(f.ra, true, Flag.RA) |
    bit(f.ad, false, Flag.AD) |
    bit(f.cd, (queryFlags & Flag.CD) !== 0, Flag.CD) |
    (rcode & 0xf);

  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt16BE(
    opts.id ?? (q.length >= 2 ? ((q[0] as number) << 8) | (q[1] as number) : 0),
    0,
  );
  header.writeUInt16BE(flags, 2);
  const c = opts.counts ?? {};
  header.writeUInt16BE(c.qd ?? (question.length > 0 ? 1 : 0), 4);
  header.writeUInt16BE(c.an ?? answer.length, 6);
  header.writeUInt16BE(c.ns ?? authority.length, 8);
  header.writeUInt16BE(c.ar ?? additional.length, 10);
  return Buffer.concat([
    header,
    question,
    ...answer,
    ...authority,
    ...additional,
    opts.trailing ?? Buffer.alloc(0),
  ]);
}

/** TC=1 with the question (and an OPT if the query had one), no records: "retry over TCP". */
export function buildTruncatedReply(
  query: Uint8Array,
  opts: Partial<ResponseOptions> = {},
): Buffer {
  return buildResponse({ ...opts, query, flags: { ...opts.flags, tc: true } });
}
