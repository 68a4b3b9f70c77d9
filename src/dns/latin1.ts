// Bytes <-> one-byte strings. Buffer#latin1Slice and Buffer#latin1Write are what
// toString('latin1') and write(s, 'latin1') end in; calling them directly skips the encoding
// lookup and argument checks, a measurable share of a ~200 ns hot path. Both fall back to the
// documented calls should Node ever drop them.

interface Latin1Methods {
  latin1Slice(start: number, end: number): string;
  latin1Write(text: string, offset: number): number;
}

const proto = Buffer.prototype as unknown as Partial<Latin1Methods>;

export const latin1Slice: (buf: Buffer, start: number, end: number) => string =
  typeof proto.latin1Slice === 'function'
    ? (buf, start, end) => (buf as unknown as Latin1Methods).latin1Slice(start, end)
    : (buf, start, end) => buf.toString('latin1', start, end);

/** Writes `text` (one byte per character) into `buf` at `offset`; returns the bytes written. */
export const latin1Write: (buf: Buffer, text: string, offset: number) => number =
  typeof proto.latin1Write === 'function'
    ? (buf, text, offset) => (buf as unknown as Latin1Methods).latin1Write(text, offset)
    : (buf, text, offset) => buf.write(text, offset, 'latin1');
