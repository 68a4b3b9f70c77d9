import type { Request, Transport } from '../chain/handler.ts';
import type { ScannedQuery } from '../dns/query.ts';

/** The per-query Request; a plain class so every query has the same hidden shape. */
export class ServerRequest implements Request {
  readonly query: ScannedQuery;
  readonly transport: Transport;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly family: 1 | 2;
  readonly server: string;
  zone = '.';
  readonly receivedAt: number;
  readonly sizeLimit: number;

  constructor(
    query: ScannedQuery,
    transport: Transport,
    remoteAddress: string,
    remotePort: number,
    family: 1 | 2,
    server: string,
    receivedAt: number,
  ) {
    this.query = query;
    this.transport = transport;
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
    this.family = family;
    this.server = server;
    this.receivedAt = receivedAt;
    this.sizeLimit = transport === 'tcp' ? 65535 : query.udpLimit;
  }
}
