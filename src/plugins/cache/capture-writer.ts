import type { ResponseWriter } from '../../chain/handler.ts';
import { RCODE_MASK } from '../../dns/constants.ts';
import type { MessageLayout } from '../../dns/message.ts';

/** Takes the next plugin's reply instead of sending it, so the cache can store it first. */
export class CaptureWriter implements ResponseWriter {
  written = false;
  rcode = -1;
  size = 0;
  reply: Buffer | undefined = undefined;
  /** The reply's layout when the writer of the reply had walked it already. */
  layout: MessageLayout | undefined = undefined;
  plugin = '';

  write(wire: Buffer, plugin: string, layout?: MessageLayout): void {
    if (this.written) throw new Error(`plugin/${plugin}: reply written twice for one query`);
    this.written = true;
    this.reply = wire;
    this.layout = layout;
    this.rcode = wire.length >= 4 ? (wire[3] as number) & RCODE_MASK : -1;
    this.size = wire.length;
    this.plugin = plugin;
  }
}
