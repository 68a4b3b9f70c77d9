// The sockets of one listen address: a DnsServer with its UDP and TCP listeners. They outlive
// configs: a reload swaps the server's zone table and leaves bound sockets alone.

import { DnsServer, type ZoneRoute } from '../server/dns-server.ts';
import { TcpListener } from '../server/tcp.ts';
import { DEFAULT_TCP_LIMITS, type TcpLimits, TcpMetrics } from '../server/tcp-limits.ts';
import { UdpListener } from '../server/udp.ts';
import type { ZoneTable } from '../server/zones.ts';
import type { Logger } from '../util/log.ts';
import { listenKey, serverLabel } from './instance.ts';

/** Tries for a port that is free for both UDP and TCP when the config says port 0. */
const EPHEMERAL_BIND_ATTEMPTS = 5;

export class ListenerSet {
  readonly host: string;
  /** The config's `host|port` (port as configured, 0 included). */
  readonly key: string;
  readonly server: DnsServer;
  readonly #port: number;
  readonly #log: Logger;
  readonly #tcpLimits: TcpLimits;
  readonly #tcpMetrics: TcpMetrics;
  #udp: UdpListener;
  #tcp: TcpListener;

  constructor(
    host: string,
    port: number,
    table: ZoneTable<ZoneRoute>,
    log: Logger,
    tcp: { limits?: TcpLimits; metrics?: TcpMetrics } = {},
    /** The port to bind when it is not `port`: a worker thread binds what the main one got for 0. */
    bindPort = port,
  ) {
    this.host = host;
    this.key = listenKey(host, port);
    this.server = new DnsServer(serverLabel(host, port), table, log);
    this.#port = bindPort;
    this.#log = log;
    this.#tcpLimits = tcp.limits ?? DEFAULT_TCP_LIMITS;
    this.#tcpMetrics = tcp.metrics ?? new TcpMetrics();
    [this.#udp, this.#tcp] = this.#sockets();
  }

  #sockets(): [UdpListener, TcpListener] {
    const server = (): DnsServer => this.server;
    return [
      new UdpListener(server, this.host, this.#port, this.#log),
      new TcpListener(
        server,
        this.host,
        this.#port,
        this.#log,
        this.#tcpLimits,
        this.#tcpMetrics.for(this.server.label),
      ),
    ];
  }

  /**
   * Binds UDP first, then TCP on the port UDP got, so port 0 gives both the same port. Another
   * process may take that TCP port in between: then both are tried again on a new port.
   */
  async listen(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await this.#udp.listen();
      if (this.#port === 0) this.#tcp.setPort(this.#udp.port);
      try {
        await this.#tcp.listen();
        return;
      } catch (err) {
        await this.#udp.close();
        const retry =
          this.#port === 0 &&
          (err as NodeJS.ErrnoException).code === 'EADDRINUSE' &&
          attempt < EPHEMERAL_BIND_ATTEMPTS;
        if (!retry) throw err;
        [this.#udp, this.#tcp] = this.#sockets();
      }
    }
  }

  get udp(): UdpListener {
    return this.#udp;
  }

  get tcp(): TcpListener {
    return this.#tcp;
  }

  get port(): number {
    return this.#udp.port;
  }

  /** Lets in-flight queries finish (bounded) while still answering, then closes the sockets. */
  async close(drainMs: number): Promise<void> {
    const tcpClosed = this.#tcp.close(drainMs);
    // UDP keeps answering and closes at a moment with nothing in flight, checked after the event
    // loop's poll phase (setImmediate) so that no datagram of a batch libuv is still handing over
    // is dropped. With SO_REUSEPORT another instance on this address gets every later datagram,
    // so none goes unanswered (a drop would cost the client a retry, seconds in glibc).
    const deadline = Date.now() + drainMs;
    for (;;) {
      await this.server.drain(Math.max(0, deadline - Date.now()));
      await new Promise((resolve) => setImmediate(resolve));
      if (this.server.inFlight === 0 || Date.now() >= deadline) break;
    }
    this.server.stopAccepting();
    await Promise.all([this.#udp.close(), tcpClosed]);
  }
}
