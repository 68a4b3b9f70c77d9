// The per-packet query scan: header checks, the question, and the OPT record, in one pass and
// without decoding anything else. This is the first thing every packet meets, so it allocates
// one object and one string (the cache key) and nothing more.

import { u16 } from './bytes.ts';
import {
  EDNS_DO,
  Flag,
  HEADER_LENGTH,
  MIN_UDP_PAYLOAD,
  OPCODE_MASK,
  OPCODE_SHIFT,
  Opcode,
  RRType,
} from './constants.ts';
import { WireFormatError } from './errors.ts';
import { latin1Slice } from './latin1.ts';
import { lowerByte, plainNameLength, skipName } from './name.ts';

/** What the server does with a packet before any plugin sees it (CoreDNS/miekg accept rules). */
export const ScanVerdict = {
  /** Well-formed query: hand it to the chain. */
  OK: 0,
  /** Not worth an answer (a response, a header under 12 bytes). */
  DROP: 1,
  /** Malformed: answer FORMERR. */
  FORMERR: 2,
  /** Opcode other than QUERY and NOTIFY: answer NOTIMP. */
  NOTIMP: 3,
  /** EDNS version other than 0: answer BADVERS. */
  BADVERS: 4,
} as const;
export type ScanVerdict = (typeof ScanVerdict)[keyof typeof ScanVerdict];

/** Offsets and fields of a scanned query. Offsets index into `wire`. */
export class ScannedQuery {
  verdict: ScanVerdict = ScanVerdict.OK;
  /** Why the packet was rejected (for logs), empty when OK. */
  reason = '';
  readonly wire: Buffer;
  id = 0;
  flags = 0;
  opcode = 0;
  qtype = 0;
  qclass = 0;
  /** Offset just past the question name (where qtype starts); 0 if the question did not scan. */
  qnameEnd = 0;
  /** Offset just past the question (12 + name + 4). */
  questionEnd = 0;
  hasEdns = false;
  ednsVersion = 0;
  /** The client's advertised UDP payload size, raw (0 when there is no OPT). */
  ednsUdpSize = 0;
  /** The DO bit from the OPT record. */
  dnssecOk = false;
  /** Offsets of the OPT record (owner name to end of rdata), -1 without OPT. */
  optStart = -1;
  optEnd = -1;
  /**
   * Cache key: the question in wire form (latin1) with the name lower-cased, then, only when the
   * query has DO or CD set, one byte of those flags. Case folding is ASCII-only, as DNS requires.
   */
  key = '';

  constructor(wire: Buffer) {
    this.wire = wire;
  }

  get recursionDesired(): boolean {
    return (this.flags & Flag.RD) !== 0;
  }
  get checkingDisabled(): boolean {
    return (this.flags & Flag.CD) !== 0;
  }
  /** Length of the question name in wire form. */
  get qnameLength(): number {
    return this.qnameEnd - HEADER_LENGTH;
  }
  /** Largest UDP reply this client accepts: 512 without EDNS, else its size (at least 512). */
  get udpLimit(): number {
    return this.hasEdns ? Math.max(this.ednsUdpSize, MIN_UDP_PAYLOAD) : MIN_UDP_PAYLOAD;
  }
}

/** Scratch space for building keys: a name is at most 255 bytes, plus 5 bytes of type/class/flags. */
const keyScratch = Buffer.allocUnsafe(260);

/** Scans one query packet. Never throws: malformed input yields a verdict. */
export function scanQuery(wire: Buffer): ScannedQuery {
  const q = new ScannedQuery(wire);
  if (wire.length < HEADER_LENGTH) return reject(q, ScanVerdict.DROP, 'shorter than a header');
  q.id = u16(wire, 0);
  q.flags = u16(wire, 2);
  q.opcode = (q.flags & OPCODE_MASK) >> OPCODE_SHIFT;
  if ((q.flags & Flag.QR) !== 0) return reject(q, ScanVerdict.DROP, 'QR bit set');
  if (q.opcode !== Opcode.QUERY && q.opcode !== Opcode.NOTIFY) {
    return reject(q, ScanVerdict.NOTIMP, `opcode ${q.opcode}`);
  }
  const qdcount = u16(wire, 4);
  const ancount = u16(wire, 6);
  const nscount = u16(wire, 8);
  const arcount = u16(wire, 10);
  if (qdcount !== 1 || ancount > 1 || nscount > 1 || arcount > 2) {
    return reject(q, ScanVerdict.FORMERR, `counts ${qdcount}/${ancount}/${nscount}/${arcount}`);
  }
  try {
    const nameLength = plainNameLength(wire, HEADER_LENGTH);
    q.qnameEnd = HEADER_LENGTH + nameLength;
    q.questionEnd = q.qnameEnd + 4;
    if (q.questionEnd > wire.length) {
      throw new WireFormatError('ERR_DNS_TRUNCATED', 'question cut short', q.qnameEnd);
    }
    q.qtype = u16(wire, q.qnameEnd);
    q.qclass = u16(wire, q.qnameEnd + 2);
    let pos = q.questionEnd;
    for (let i = 0; i < ancount + nscount + arcount; i++)
      pos = scanRecord(q, wire, pos, i >= ancount + nscount);
    if (pos !== wire.length)
      throw new WireFormatError('ERR_DNS_TRAILING_DATA', 'bytes after the last record', pos);
  } catch (err) {
    if (err instanceof WireFormatError) return reject(q, ScanVerdict.FORMERR, err.message);
    throw err;
  }
  if (q.hasEdns && q.ednsVersion !== 0)
    return reject(q, ScanVerdict.BADVERS, `EDNS version ${q.ednsVersion}`);
  q.key = buildKey(q);
  return q;
}

function reject(q: ScannedQuery, verdict: ScanVerdict, reason: string): ScannedQuery {
  q.verdict = verdict;
  q.reason = reason;
  return q;
}

/** Walks one resource record; notes the OPT record when it is in the additional section. */
function scanRecord(q: ScannedQuery, wire: Buffer, start: number, additional: boolean): number {
  const afterName = skipName(wire, start);
  if (afterName + 10 > wire.length)
    throw new WireFormatError('ERR_DNS_TRUNCATED', 'record header cut short', afterName);
  const type = u16(wire, afterName);
  const rdlength = u16(wire, afterName + 8);
  const end = afterName + 10 + rdlength;
  if (end > wire.length)
    throw new WireFormatError('ERR_DNS_TRUNCATED', 'rdata runs past the end', afterName + 8);
  if (type === RRType.OPT) {
    // RFC 6891 6.1.1: one OPT at most, owned by the root, in the additional section.
    if (!additional || q.hasEdns || afterName !== start + 1 || wire[start] !== 0) {
      throw new WireFormatError('ERR_DNS_BAD_OPT', 'misplaced or repeated OPT record', start);
    }
    q.hasEdns = true;
    q.ednsUdpSize = u16(wire, afterName + 2);
    q.ednsVersion = wire[afterName + 5] as number;
    q.dnssecOk = (u16(wire, afterName + 6) & EDNS_DO) !== 0;
    q.optStart = start;
    q.optEnd = end;
    checkOptions(wire, afterName + 10, end);
  }
  return end;
}

/** EDNS options are {code, length, data}; their lengths must add up to the rdata length. */
function checkOptions(wire: Buffer, pos: number, end: number): void {
  while (pos < end) {
    if (pos + 4 > end)
      throw new WireFormatError('ERR_DNS_BAD_OPT', 'EDNS option header cut short', pos);
    pos += 4 + u16(wire, pos + 2);
  }
  if (pos !== end)
    throw new WireFormatError('ERR_DNS_BAD_OPT', 'EDNS option runs past the OPT record', pos);
}

/** Key suffixes for the DO/CD combinations; a query with neither has no suffix. */
const FLAG_SUFFIX = ['', '\x01', '\x02', '\x03'] as const;

function buildKey(q: ScannedQuery): string {
  const wire = q.wire;
  const flags = (q.dnssecOk ? 2 : 0) | (q.checkingDisabled ? 1 : 0);
  let upper = false;
  // Length bytes are at most 63, below 'A', so they never look like upper case.
  for (let i = HEADER_LENGTH; i < q.qnameEnd; i++) {
    const b = wire[i] as number;
    if (b >= 0x41 && b <= 0x5a) {
      upper = true;
      break;
    }
  }
  let key: string;
  if (!upper) {
    // The common case: the question bytes are the key, one string and no copy loop.
    key = latin1Slice(wire, HEADER_LENGTH, q.questionEnd);
  } else {
    let n = 0;
    for (let i = HEADER_LENGTH; i < q.qnameEnd; i++) keyScratch[n++] = lowerByte(wire[i] as number);
    wire.copy(keyScratch, n, q.qnameEnd, q.questionEnd);
    key = latin1Slice(keyScratch, 0, n + 4);
  }
  return flags === 0 ? key : key + FLAG_SUFFIX[flags];
}
