// Domain names in wire form: bounds-checked walking, decoding for logs, encoding of config names.
// All functions take (buf, offset) and never read outside `buf`; compression pointers are followed
// only backwards and at most MAX_POINTER_HOPS times, so hostile input cannot loop.

import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from './constants.ts';
import { WireFormatError } from './errors.ts';

/** A name of 255 bytes has at most 127 labels; more pointer hops than that must be a loop. */
const MAX_POINTER_HOPS = 127;

/**
 * Returns the offset just past the name that starts at `offset` (past the pointer, if the
 * name ends in one), after validating the whole name, pointers included.
 */
export function skipName(buf: Uint8Array, offset: number): number {
  let pos = offset;
  let end = -1; // where the name ends in the original stream (set at the first pointer)
  let nameLength = 1; // the root label
  let hops = 0;
  for (;;) {
    if (pos >= buf.length)
      throw new WireFormatError('ERR_DNS_TRUNCATED', 'name runs past the end', pos);
    const len = buf[pos] as number;
    if (len === 0) return end < 0 ? pos + 1 : end;
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length)
        throw new WireFormatError('ERR_DNS_TRUNCATED', 'pointer cut short', pos);
      const target = ((len & 0x3f) << 8) | (buf[pos + 1] as number);
      if (end < 0) end = pos + 2;
      // Only pointers to earlier bytes are legal (RFC 1035 4.1.4); that alone forbids loops, and
      // the hop cap guards against long chains of backward pointers.
      if (target >= pos)
        throw new WireFormatError('ERR_DNS_BAD_POINTER', 'forward or self pointer', pos);
      if (++hops > MAX_POINTER_HOPS)
        throw new WireFormatError('ERR_DNS_POINTER_LOOP', 'too many pointers', pos);
      pos = target;
      continue;
    }
    if (kind !== 0) throw new WireFormatError('ERR_DNS_BAD_LABEL_TYPE', 'unknown label type', pos);
    nameLength += len + 1;
    if (nameLength > MAX_NAME_LENGTH)
      throw new WireFormatError('ERR_DNS_NAME_TOO_LONG', 'name longer than 255 bytes', pos);
    pos += len + 1;
  }
}

/**
 * Length of an uncompressed name at `offset` (the root label included); throws on pointers,
 * since a question name in a query has nothing earlier to point to.
 */
export function plainNameLength(buf: Uint8Array, offset: number): number {
  let pos = offset;
  for (;;) {
    if (pos >= buf.length)
      throw new WireFormatError('ERR_DNS_TRUNCATED', 'name runs past the end', pos);
    const len = buf[pos] as number;
    if (len === 0) return pos + 1 - offset;
    if (len > MAX_LABEL_LENGTH) {
      const code = (len & 0xc0) === 0xc0 ? 'ERR_DNS_BAD_POINTER' : 'ERR_DNS_BAD_LABEL_TYPE';
      throw new WireFormatError(code, 'compressed or invalid label in a question', pos);
    }
    pos += len + 1;
    if (pos - offset >= MAX_NAME_LENGTH)
      throw new WireFormatError('ERR_DNS_NAME_TOO_LONG', 'name longer than 255 bytes', offset);
  }
}

/** Presentation form of the name at `offset` (trailing dot, RFC 1035 escapes), for logs. */
export function readName(buf: Uint8Array, offset: number): string {
  skipName(buf, offset); // validate first, then walk without checks
  let pos = offset;
  let out = '';
  for (;;) {
    const len = buf[pos] as number;
    if (len === 0) return out === '' ? '.' : out;
    if ((len & 0xc0) === 0xc0) {
      pos = ((len & 0x3f) << 8) | (buf[pos + 1] as number);
      continue;
    }
    for (let i = pos + 1; i <= pos + len; i++) out += escapeByte(buf[i] as number);
    out += '.';
    pos += len + 1;
  }
}

function escapeByte(b: number): string {
  if (b === 0x2e || b === 0x5c) return `\\${String.fromCharCode(b)}`;
  if (b <= 0x20 || b >= 0x7f) return `\\${b.toString().padStart(3, '0')}`;
  return String.fromCharCode(b);
}

/**
 * Normalises a presentation name the way Corefile zones are written: lower case, trailing
 * dot, `.` for the root. Throws on empty labels or labels over 63 bytes.
 */
export function normalizeName(name: string): string {
  let n = name.trim().toLowerCase();
  if (n === '' || n === '.') return '.';
  if (!n.endsWith('.')) n += '.';
  nameToWire(n); // validates
  return n;
}

/** Wire form of a presentation name (escapes `\.` and `\DDD` understood). */
export function nameToWire(name: string): Uint8Array {
  if (name === '.' || name === '') return new Uint8Array([0]);
  const out: number[] = [];
  let label: number[] = [];
  const flush = (): void => {
    if (label.length === 0) throw new Error(`empty label in name "${name}"`);
    if (label.length > MAX_LABEL_LENGTH) throw new Error(`label longer than 63 bytes in "${name}"`);
    out.push(label.length, ...label);
    label = [];
  };
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c) {
      const digits = name.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(digits)) {
        const value = Number(digits);
        if (value > 0xff) throw new Error(`escape \\${digits} over 255 in name "${name}"`);
        label.push(value);
        i += 3;
      } else {
        if (i + 1 >= name.length) throw new Error(`trailing '\\' escape in name "${name}"`);
        label.push(name.charCodeAt(i + 1) & 0xff);
        i += 1;
      }
    } else if (c === 0x2e) {
      flush();
    } else {
      if (c > 0xff) throw new Error(`non-ASCII character in name "${name}"`);
      label.push(c);
    }
  }
  if (label.length > 0) flush();
  out.push(0);
  if (out.length > MAX_NAME_LENGTH) throw new Error(`name longer than 255 bytes: "${name}"`);
  return Uint8Array.from(out);
}

/** ASCII-only lower-casing of one byte: DNS names compare case-insensitively for A-Z only. */
export function lowerByte(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}

/** True when `name` equals `zone` or lies below it (both normalised presentation names). */
export function isSubdomain(name: string, zone: string): boolean {
  if (zone === '.') return true;
  return (
    name === zone ||
    (name.endsWith(zone) && name.charCodeAt(name.length - zone.length - 1) === 0x2e)
  );
}
