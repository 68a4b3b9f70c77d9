// DNS over TCP frames every message with a two-byte big-endian length (RFC 1035 4.2.2).
// The reader is pure: feed it chunks of any size and it hands back whole messages.

export class FrameTooLargeError extends Error {
  readonly code = 'ERR_DNS_FRAME_TOO_LARGE';
  constructor(length: number, limit: number) {
    super(`TCP frame of ${length} bytes exceeds the limit of ${limit}`);
    this.name = 'FrameTooLargeError';
  }
}

export class FrameReader {
  readonly #maxLength: number;
  #pending: Buffer | undefined;

  /** `maxLength` caps one message; a longer frame throws FrameTooLargeError. */
  constructor(maxLength = 65535) {
    this.#maxLength = maxLength;
  }

  /** True while a partial frame is buffered (for read timeouts). */
  get hasPartial(): boolean {
    return this.#pending !== undefined && this.#pending.length > 0;
  }

  /** Adds bytes and returns every message they complete (slices of the input where possible). */
  push(chunk: Buffer): Buffer[] {
    let buf = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    this.#pending = undefined;
    const frames: Buffer[] = [];
    let pos = 0;
    while (buf.length - pos >= 2) {
      const length = buf.readUInt16BE(pos);
      if (length > this.#maxLength) throw new FrameTooLargeError(length, this.#maxLength);
      if (buf.length - pos - 2 < length) break;
      frames.push(buf.subarray(pos + 2, pos + 2 + length));
      pos += 2 + length;
    }
    if (pos < buf.length) {
      // Copy the tail so a large chunk is not kept alive by a few leftover bytes.
      buf = Buffer.from(buf.subarray(pos));
      this.#pending = buf;
    }
    return frames;
  }
}

/** Prefixes a message with its two-byte length. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(message.length + 2);
  out.writeUInt16BE(message.length, 0);
  out.set(message, 2);
  return out;
}
