// CoreDNS's whoami: an authoritative, empty-answer reply whose additional section holds the
// client's address (A or AAAA) and `_udp.` / `_tcp.` + the query name as an SRV with the
// client's port, TTL 0, owners in the client's case.

import type { Handler, Outcome, Request, ResponseWriter } from '../../chain/handler.ts';
import { parseIP } from '../../dns/address.ts';
import { HEADER_LENGTH, Rcode, RRClass, RRType } from '../../dns/constants.ts';
import { buildReply } from '../../dns/reply.ts';

export class WhoamiHandler implements Handler {
  readonly name = 'whoami';

  serveDNS(req: Request, w: ResponseWriter): Outcome {
    const q = req.query;
    const address =
      req.remoteAddress.startsWith('::ffff:') && req.remoteAddress.includes('.')
        ? req.remoteAddress.slice(7)
        : req.remoteAddress;
    const ip = parseIP(address) ?? new Uint8Array(4);
    const owner = q.wire.subarray(HEADER_LENGTH, q.qnameEnd);
    const srvOwner = Buffer.concat([Buffer.of(4), Buffer.from(`_${req.transport}`), owner]);
    const srv = Buffer.alloc(7);
    srv.writeUInt16BE(req.remotePort, 4); // priority 0, weight 0, port, target "."
    const additional = [
      {
        name: owner,
        type: ip.length === 4 ? RRType.A : RRType.AAAA,
        class: RRClass.IN,
        ttl: 0,
        rdata: ip,
      },
      { name: srvOwner, type: RRType.SRV, class: RRClass.IN, ttl: 0, rdata: srv },
    ];
    w.write(buildReply(q, { rcode: Rcode.NOERROR, authoritative: true, additional }), this.name);
    return Rcode.NOERROR;
  }
}
