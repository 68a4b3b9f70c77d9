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
  /** First byte of a length prefix that arrived alone, or -1. */
  #headerByte = -1;
  /** The message being reassembled: allocated once at its announced length, filled in place. */
  #body: Buffer | undefined;
  #filled = 0;
  readonly #ownBuffers: boolean;

  /**
   * `maxLength` caps one message; a longer frame throws FrameTooLargeError. With `ownBuffers`
   * every message is a copy of its own (small ones from Node's pool) rather than a slice of the
   * chunk, for callers that keep messages after the read: a slice pins the whole read buffer,
   * and slicing and then copying makes two objects per message where one will do.
   */
  constructor(maxLength = 65535, ownBuffers = false) {
    this.#maxLength = maxLength;
    this.#ownBuffers = ownBuffers;
  }

  /** True while a partial frame is buffered (for read deadlines). */
  get hasPartial(): boolean {
    return this.#headerByte >= 0 || this.#body !== undefined;
  }

  /**
   * Adds bytes and returns every message they complete. Messages wholly inside `chunk` are
   * slices of it (unless `ownBuffers`); a message split over chunks is copied once into its
   * own buffer, so a frame trickled a byte at a time costs linear, not quadratic, work.
   */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#body === undefined) {
        let length: number;
        if (this.#headerByte >= 0) {
          length = (this.#headerByte << 8) | (chunk[pos++] as number);
          this.#headerByte = -1;
        } else if (chunk.length - pos >= 2) {
          length = chunk.readUInt16BE(pos);
          pos += 2;
          if (length <= this.#maxLength && chunk.length - pos >= length) {
            if (this.#ownBuffers) {
              const message = Buffer.allocUnsafe(length);
              chunk.copy(message, 0, pos, pos + length);
              frames.push(message);
            } else {
              frames.push(chunk.subarray(pos, pos + length));
            }
            pos += length;
            continue;
          }
        } else {
          this.#headerByte = chunk[pos++] as number;
          break;
        }
        if (length > this.#maxLength) throw new FrameTooLargeError(length, this.#maxLength);
        this.#body = Buffer.allocUnsafe(length);
        this.#filled = 0;
      }
      const take = Math.min(this.#body.length - this.#filled, chunk.length - pos);
      chunk.copy(this.#body, this.#filled, pos, pos + take);
      this.#filled += take;
      pos += take;
      if (this.#filled === this.#body.length) {
        frames.push(this.#body);
        this.#body = undefined;
      }
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
