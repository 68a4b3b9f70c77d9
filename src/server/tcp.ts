// TCP listener: length-framed queries, several in flight per connection and answered as they
// complete (RFC 7766). Per-connection deadlines live in tcp-connection.ts, admission (caps in
// total and per client address) in tcp-clients.ts, the limits and their counters in
// tcp-limits.ts.

import { createServer, type Server } from 'node:net';
import type { Logger } from '../util/log.ts';
import type { DnsServer } from './dns-server.ts';
import { TcpClients } from './tcp-clients.ts';
import { TcpConnection } from './tcp-connection.ts';
import { DEFAULT_TCP_LIMITS, TcpCounters, type TcpLimits } from './tcp-limits.ts';

export { DEFAULT_TCP_LIMITS, type TcpLimits } from './tcp-limits.ts';

export class TcpListener {
  readonly #server: () => DnsServer;
  readonly #log: Logger;
  readonly #net: Server;
  readonly #limits: TcpLimits;
  readonly #counters: TcpCounters;
  readonly #clients: TcpClients;
  readonly host: string;
  #port: number;

  constructor(
    server: () => DnsServer,
    host: string,
    port: number,
    log: Logger,
    limits: TcpLimits = DEFAULT_TCP_LIMITS,
    counters: TcpCounters = new TcpCounters(),
  ) {
    this.#server = server;
    this.#log = log;
    this.host = host;
    this.#port = port;
    this.#limits = limits;
    this.#counters = counters;
    this.#clients = new TcpClients(limits, counters);
    this.#net = createServer({ noDelay: true, pauseOnConnect: false }, (socket) => {
      if (!this.#clients.admit(socket.remoteAddress ?? '')) {
        socket.destroy();
        return;
      }
      const conn = new TcpConnection(socket, this.#server, this.#limits, this.#counters, this.#log);
      this.#clients.add(conn);
      socket.on('close', () => this.#clients.remove(conn));
    });
    this.#net.on('error', (err) => this.#log.error(`tcp ${host}:${this.#port}: ${err.message}`));
  }

  get port(): number {
    return this.#port;
  }

  /** Open client connections. */
  get connections(): number {
    return this.#clients.total;
  }

  /** Sets the port before listen (to share UDP's ephemeral port). */
  setPort(port: number): void {
    this.#port = port;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#net.once('error', onError);
      this.#net.listen(
        {
          port: this.#port,
          host: this.host === '' ? '::' : this.host,
          exclusive: true,
          reusePort: true, // see UdpListener
        },
        () => {
          this.#net.off('error', onError);
          const address = this.#net.address();
          if (address !== null && typeof address === 'object') this.#port = address.port;
          resolve();
        },
      );
    });
  }

  /** Stops accepting; open connections close once their queries are answered (or after `graceMs`). */
  close(graceMs = 0): Promise<void> {
    return new Promise((resolve) => {
      this.#net.close(() => resolve());
      for (const conn of this.#clients.all()) conn.socket.end();
      setTimeout(() => {
        for (const conn of this.#clients.all()) conn.socket.destroy();
      }, graceMs).unref();
    });
  }
}
