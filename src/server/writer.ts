// The ResponseWriter the server hands to the chain: fits the reply into the client's limit,
// sends it on the query's own transport and remembers what was written for metrics and logs.

import type { ResponseWriter } from '../chain/handler.ts';
import { RCODE_MASK } from '../dns/constants.ts';
import type { MessageLayout } from '../dns/message.ts';
import { fitToLimit } from '../dns/truncate.ts';
import type { ServerRequest } from './request.ts';

export type SendReply = (wire: Buffer, req: ServerRequest) => void;

export class ReplyWriter implements ResponseWriter {
  readonly #req: ServerRequest;
  readonly #send: SendReply;
  written = false;
  /** Header rcode of the written reply (-1 until written). */
  rcode = -1;
  /** Bytes written (after fitting). */
  size = 0;
  reply: Buffer | undefined = undefined;
  /** The plugin that produced the reply ('' when the server wrote it). */
  plugin = '';

  constructor(req: ServerRequest, send: SendReply) {
    this.#req = req;
    this.#send = send;
  }

  write(wire: Buffer, plugin: string, layout?: MessageLayout): void {
    if (this.written) throw new Error(`plugin/${plugin}: reply written twice for one query`);
    this.written = true;
    let out = wire;
    if (wire.length > this.#req.sizeLimit) {
      out = fitToLimit(wire, this.#req.sizeLimit, layout);
    }
    this.rcode = (out[3] as number) & RCODE_MASK;
    this.size = out.length;
    this.reply = out;
    this.plugin = plugin;
    this.#send(out, this.#req);
  }
}
