// TCP listener: length-framed queries, several in flight per connection and answered as they
// complete (RFC 7766), with idle and read timeouts and caps on connections and query size.

import { createServer, type Server, type Socket } from 'node:net';
import { FrameReader, FrameTooLargeError } from '../dns/framing.ts';
import type { Logger } from '../util/log.ts';
import type { DnsServer } from './dns-server.ts';

export interface TcpLimits {
  /** Connections beyond this are refused by the kernel backlog / closed at once. */
  readonly maxConnections: number;
  /** Close a connection with no query in flight after this long without a new query. */
  readonly idleTimeoutMs: number;
  /** Close a connection whose query has started arriving but is not complete after this long. */
  readonly readTimeoutMs: number;
  /** Largest query accepted; larger frames close the connection. */
  readonly maxQueryBytes: number;
  /** Stop reading from a connection while this many of its queries are unanswered. */
  readonly maxInFlightPerConnection: number;
}

export const DEFAULT_TCP_LIMITS: TcpLimits = {
  maxConnections: 1024,
  idleTimeoutMs: 10_000,
  readTimeoutMs: 3_000,
  maxQueryBytes: 16_384,
  maxInFlightPerConnection: 128,
};

export class TcpListener {
  readonly #server: () => DnsServer;
  readonly #log: Logger;
  readonly #net: Server;
  readonly #limits: TcpLimits;
  readonly #sockets = new Set<Socket>();
  readonly host: string;
  #port: number;

  constructor(
    server: () => DnsServer,
    host: string,
    port: number,
    log: Logger,
    limits: TcpLimits = DEFAULT_TCP_LIMITS,
  ) {
    this.#server = server;
    this.#log = log;
    this.host = host;
    this.#port = port;
    this.#limits = limits;
    this.#net = createServer({ noDelay: true, pauseOnConnect: false }, (socket) =>
      this.#accept(socket),
    );
    this.#net.maxConnections = limits.maxConnections;
    this.#net.on('error', (err) => this.#log.error(`tcp ${host}:${this.#port}: ${err.message}`));
  }

  get port(): number {
    return this.#port;
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
      for (const socket of this.#sockets) socket.end();
      setTimeout(() => {
        for (const socket of this.#sockets) socket.destroy();
      }, graceMs).unref();
    });
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    const reader = new FrameReader(this.#limits.maxQueryBytes);
    const family = socket.remoteFamily === 'IPv6' ? 2 : 1;
    const address = socket.remoteAddress ?? '';
    const remotePort = socket.remotePort ?? 0;
    let inFlight = 0;
    let paused = false;
    const send = (wire: Buffer): void => {
      inFlight--;
      if (!socket.destroyed) {
        const header = Buffer.allocUnsafe(2);
        header.writeUInt16BE(wire.length, 0);
        socket.cork();
        socket.write(header);
        socket.write(wire);
        process.nextTick(() => socket.uncork());
      }
      if (paused && inFlight < this.#limits.maxInFlightPerConnection) {
        paused = false;
        socket.resume();
      }
    };
    socket.setTimeout(this.#limits.readTimeoutMs);
    socket.on('timeout', () => {
      // Queries still being answered keep the connection; otherwise idle or stalled: close.
      if (inFlight === 0) socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = reader.push(chunk);
      } catch (err) {
        if (err instanceof FrameTooLargeError) this.#log.debug(`tcp ${address}: ${err.message}`);
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        inFlight++;
        if (!this.#server().handle(frame, 'tcp', address, remotePort, family, send)) inFlight--;
      }
      socket.setTimeout(
        reader.hasPartial ? this.#limits.readTimeoutMs : this.#limits.idleTimeoutMs,
      );
      if (inFlight >= this.#limits.maxInFlightPerConnection && !paused) {
        paused = true;
        socket.pause();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#sockets.delete(socket));
  }
}
