// The dnstap protobuf messages (dnstap.proto: Dnstap and Message), encoded by hand: a few
// varint, fixed32 and bytes fields, so no protobuf library is needed. Field numbers and enum
// values are those of https://github.com/dnstap/dnstap.pb/blob/master/dnstap.proto.

/** Message.Type values. */
export const MessageType = {
  CLIENT_QUERY: 5,
  CLIENT_RESPONSE: 6,
  FORWARDER_QUERY: 7,
  FORWARDER_RESPONSE: 8,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** SocketFamily: INET = 1, INET6 = 2. SocketProtocol: UDP = 1, TCP = 2. */
export type SocketFamily = 1 | 2;
export type SocketProtocol = 1 | 2;

export interface TapMessage {
  readonly type: MessageType;
  readonly family: SocketFamily;
  readonly protocol: SocketProtocol;
  /** The client's address (4 or 16 bytes) and port. */
  readonly queryAddress: Uint8Array;
  readonly queryPort: number;
  /** Wall-clock times, ms since the epoch (with a fraction for sub-ms precision). */
  readonly queryTimeMs?: number;
  readonly responseTimeMs?: number;
  /** The wire messages (the `full` option). */
  readonly queryMessage?: Uint8Array;
  readonly responseMessage?: Uint8Array;
}

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** A growable byte buffer with the three protobuf field kinds dnstap uses. */
class ProtoWriter {
  #buf = Buffer.allocUnsafe(256);
  #len = 0;

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#len + n));
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }

  #varint(value: number): void {
    this.#room(10);
    // Numbers above 2^31 (seconds since 1970 fit, but stay general): no bitwise ops.
    let v = value;
    while (v >= 0x80) {
      this.#buf[this.#len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.#buf[this.#len++] = v;
  }

  uint(field: number, value: number): void {
    this.#varint((field << 3) | VARINT);
    this.#varint(value);
  }

  fixed32(field: number, value: number): void {
    this.#varint((field << 3) | FIXED32);
    this.#room(4);
    this.#buf.writeUInt32LE(value >>> 0, this.#len);
    this.#len += 4;
  }

  bytes(field: number, value: Uint8Array): void {
    this.#varint((field << 3) | LENGTH_DELIMITED);
    this.#varint(value.length);
    this.#room(value.length);
    this.#buf.set(value, this.#len);
    this.#len += value.length;
  }

  finish(): Buffer {
    return this.#buf.subarray(0, this.#len);
  }
}

function time(w: ProtoWriter, secField: number, ms: number | undefined): void {
  if (ms === undefined) return;
  const sec = Math.floor(ms / 1000);
  w.uint(secField, sec);
  w.fixed32(secField + 1, Math.min(Math.round((ms - sec * 1000) * 1e6), 999_999_999));
}

/** Message (dnstap.proto fields 1-14). */
export function encodeMessage(m: TapMessage): Buffer {
  const w = new ProtoWriter();
  w.uint(1, m.type);
  w.uint(2, m.family);
  w.uint(3, m.protocol);
  w.bytes(4, m.queryAddress);
  w.uint(6, m.queryPort);
  time(w, 8, m.queryTimeMs); // query_time_sec = 8, query_time_nsec = 9
  if (m.queryMessage !== undefined) w.bytes(10, m.queryMessage);
  time(w, 12, m.responseTimeMs); // response_time_sec = 12, response_time_nsec = 13
  if (m.responseMessage !== undefined) w.bytes(14, m.responseMessage);
  return w.finish();
}

/** The Dnstap envelope: identity = 1, version = 2, message = 14, type = 15 (MESSAGE = 1). */
export function encodeDnstap(identity: Uint8Array, version: Uint8Array, message: Buffer): Buffer {
  const w = new ProtoWriter();
  if (identity.length > 0) w.bytes(1, identity);
  if (version.length > 0) w.bytes(2, version);
  w.bytes(14, message);
  w.uint(15, 1);
  return w.finish();
}
