// The sockets of one listen address: a DnsServer with its UDP and TCP listeners. They outlive
// configs: a reload swaps the server's zone table and leaves bound sockets alone.

import { DnsServer, type ZoneRoute } from '../server/dns-server.ts';
import { TcpListener } from '../server/tcp.ts';
import { UdpListener } from '../server/udp.ts';
import type { ZoneTable } from '../server/zones.ts';
import type { Logger } from '../util/log.ts';
import { listenKey, serverLabel } from './instance.ts';

export class ListenerSet {
  readonly host: string;
  /** The config's `host|port` (port as configured, 0 included). */
  readonly key: string;
  readonly server: DnsServer;
  readonly udp: UdpListener;
  readonly tcp: TcpListener;

  constructor(host: string, port: number, table: ZoneTable<ZoneRoute>, log: Logger) {
    this.host = host;
    this.key = listenKey(host, port);
    this.server = new DnsServer(serverLabel(host, port), table, log);
    const server = (): DnsServer => this.server;
    this.udp = new UdpListener(server, host, port, log);
    this.tcp = new TcpListener(server, host, port, log);
  }

  /** Binds UDP first, then TCP on the port UDP got (so port 0 gives the same port to both). */
  async listen(): Promise<void> {
    await this.udp.listen();
    if (this.tcp.port === 0) this.tcp.setPort(this.udp.port);
    try {
      await this.tcp.listen();
    } catch (err) {
      await this.udp.close();
      throw err;
    }
  }

  get port(): number {
    return this.udp.port;
  }

  /** Stops taking queries, lets in-flight ones finish (bounded), then closes the sockets. */
  async close(drainMs: number): Promise<void> {
    this.server.stopAccepting();
    const tcpClosed = this.tcp.close(drainMs);
    await this.server.drain(drainMs);
    await Promise.all([this.udp.close(), tcpClosed]);
  }
}
