// The dnstap handler (CoreDNS plugin/dnstap/handler.go): a CLIENT_QUERY message when a query
// enters, and a CLIENT_RESPONSE when the rest of the chain writes its reply, with the wire
// messages under `full`. Encoding is cheap and the writer never blocks, so a slow or absent
// collector costs the query path nothing but the encoding.

import type { Handler, Outcome, Request, ResponseWriter } from '../../chain/handler.ts';
import { TransformWriter } from '../../chain/transform-writer.ts';
import { parseIP } from '../../dns/address.ts';
import type { FrameStreamWriter } from './framestream.ts';
import { encodeDnstap, encodeMessage, MessageType, type TapMessage } from './protobuf.ts';
import type { DnstapConfig } from './setup.ts';

export const PLUGIN_NAME = 'dnstap';

const UNSPECIFIED_V4 = new Uint8Array(4);

/** The client's address bytes; an IPv4-mapped IPv6 address counts as IPv4 (Go's To4). */
function addressBytes(req: Request): { family: 1 | 2; bytes: Uint8Array } {
  const text =
    req.remoteAddress.startsWith('::ffff:') && req.remoteAddress.includes('.')
      ? req.remoteAddress.slice(7)
      : req.remoteAddress;
  const bytes = parseIP(text) ?? UNSPECIFIED_V4;
  return { family: bytes.length === 4 ? 1 : 2, bytes };
}

export class DnstapHandler implements Handler {
  readonly name = PLUGIN_NAME;
  readonly #next: Handler;
  readonly #out: FrameStreamWriter;
  readonly #full: boolean;
  readonly #identity: Buffer;
  readonly #version: Buffer;

  constructor(next: Handler, config: DnstapConfig, out: FrameStreamWriter) {
    this.#next = next;
    this.#out = out;
    this.#full = config.full;
    this.#identity = Buffer.from(config.identity);
    this.#version = Buffer.from(config.version);
  }

  serveDNS(req: Request, w: ResponseWriter): Outcome {
    const queryTimeMs = performance.timeOrigin + req.receivedAt;
    const { family, bytes } = addressBytes(req);
    const base = {
      family,
      protocol: req.transport === 'udp' ? 1 : 2,
      queryAddress: bytes,
      queryPort: req.remotePort,
      queryTimeMs,
    } as const;
    this.#tap({
      ...base,
      type: MessageType.CLIENT_QUERY,
      ...(this.#full && { queryMessage: req.query.wire }),
    });
    const tapping = new TapWriter(w, (reply) =>
      this.#tap({
        ...base,
        type: MessageType.CLIENT_RESPONSE,
        responseTimeMs: performance.timeOrigin + performance.now(),
        ...(this.#full && { responseMessage: reply }),
      }),
    );
    return this.#next.serveDNS(req, tapping);
  }

  #tap(m: TapMessage): void {
    this.#out.write(encodeDnstap(this.#identity, this.#version, encodeMessage(m)));
  }
}

/**
 * Passes the reply on, then reports the bytes actually sent (after fitting to the client). The
 * layout hint is not passed on (TransformWriter's rule), so the server walks the reply again.
 */
class TapWriter extends TransformWriter {
  readonly #onReply: (reply: Buffer) => void;

  constructor(inner: ResponseWriter, onReply: (reply: Buffer) => void) {
    super(inner, (wire) => wire);
    this.#onReply = onReply;
  }

  override write(wire: Buffer, plugin: string): void {
    super.write(wire, plugin);
    this.#onReply(this.reply ?? wire);
  }
}
