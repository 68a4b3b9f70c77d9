// UDP listener: one socket per address and port, every datagram handed to the DnsServer.

import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '../util/log.ts';
import type { DnsServer } from './dns-server.ts';
import type { ServerRequest } from './request.ts';

/** Kernel receive buffer we ask for, so bursts of pod queries queue instead of dropping. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export class UdpListener {
  readonly #server: () => DnsServer;
  readonly #log: Logger;
  readonly #socket: Socket;
  readonly #family: 1 | 2;
  readonly host: string;
  #port: number;
  #closed = false;

  /** `server` is read per packet so a reload can swap the server's zones underneath. */
  constructor(server: () => DnsServer, host: string, port: number, log: Logger) {
    this.#server = server;
    this.#log = log;
    this.host = host;
    this.#port = port;
    this.#family = host === '' || isIPv6(host) ? 2 : 1;
    const ipFamily = this.#family === 2 ? 6 : 4;
    this.#socket = createSocket({
      type: this.#family === 2 ? 'udp6' : 'udp4',
      reuseAddr: false,
      // SO_REUSEPORT, as CoreDNS: a second agent (a maxSurge rollout) binds the same address and
      // the kernel spreads datagrams over both until one closes; no EADDRINUSE, no gap.
      reusePort: true,
      // Every address this socket sends to or binds is an IP literal (a client's rinfo.address, a
      // bind address), so skip dns.lookup and the process.nextTick it costs on every reply.
      lookup: (hostname, _options, callback) => callback(null, hostname, ipFamily),
    });
    const socket = this.#socket;
    const send = (wire: Buffer, req: ServerRequest): void => {
      // A query still in flight when a stop's drain deadline passed is answered after close():
      // expected while stopping, so counted rather than logged (socket.send would throw "Not
      // running", once per reply). Any other send error still reaches the server's log.
      if (this.#closed) {
        this.#server().stats.unsentAfterClose++;
        return;
      }
      socket.send(wire, req.remotePort, req.remoteAddress);
    };
    socket.on('message', (msg, rinfo) => {
      const family = rinfo.family === 'IPv6' ? 2 : 1;
      this.#server().handle(msg, 'udp', rinfo.address, rinfo.port, family, send);
    });
    socket.on('error', (err) => this.#log.error(`udp ${this.host}:${this.#port}: ${err.message}`));
  }

  get port(): number {
    return this.#port;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#socket.once('error', onError);
      this.#socket.bind(
        { port: this.#port, address: this.host === '' ? '::' : this.host, exclusive: true },
        () => {
          this.#socket.off('error', onError);
          this.#port = this.#socket.address().port;
          try {
            this.#socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
          } catch {
            // The kernel caps it at net.core.rmem_max; a smaller buffer still works.
          }
          resolve();
        },
      );
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }
}
