import type { ResponseWriter } from '../../chain/handler.ts';
import { RCODE_MASK } from '../../dns/constants.ts';

/** Keeps the next plugin's reply instead of sending it (CoreDNS's nonwriter). */
export class CaptureWriter implements ResponseWriter {
  reply: Buffer | undefined = undefined;
  plugin = '';

  get written(): boolean {
    return this.reply !== undefined;
  }
  get rcode(): number {
    return this.reply === undefined || this.reply.length < 4
      ? -1
      : (this.reply[3] as number) & RCODE_MASK;
  }
  get size(): number {
    return this.reply?.length ?? 0;
  }

  write(wire: Buffer, plugin: string): void {
    if (this.reply !== undefined)
      throw new Error(`plugin/${plugin}: reply written twice for one query`);
    this.reply = wire;
    this.plugin = plugin;
  }
}
