// `bufsize`: queries whose EDNS UDP size is larger than SIZE go down the chain (forward, and so
// upstream) with SIZE instead (CoreDNS plugin/bufsize). The size is patched in the received
// bytes: the client's own limit for the reply was already taken when the query arrived.

import type { PluginDefinition } from '../../chain/definition.ts';
import { type BufsizeConfig, parseBufsize } from './setup.ts';

export const bufsize: PluginDefinition<BufsizeConfig> = {
  name: 'bufsize',
  parse: (d) => parseBufsize(d),
  setup:
    ({ size }) =>
    (next) => ({
      name: 'bufsize',
      serveDNS(req, w) {
        const q = req.query;
        if (q.hasEdns && q.ednsUdpSize > size) {
          q.wire.writeUInt16BE(size, q.optStart + 3); // the OPT's CLASS field is the UDP size
          q.ednsUdpSize = size;
        }
        return next.serveDNS(req, w);
      },
    }),
};
