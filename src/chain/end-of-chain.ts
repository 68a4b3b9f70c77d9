import { Rcode } from '../dns/constants.ts';
import { type Handler, PluginError } from './handler.ts';

/** What the last plugin's `next` points at: CoreDNS's "no next plugin found" SERVFAIL. */
export function endOfChain(after: string): Handler {
  return {
    name: 'end-of-chain',
    serveDNS() {
      throw new PluginError(after, Rcode.SERVFAIL, 'no next plugin found');
    },
  };
}
