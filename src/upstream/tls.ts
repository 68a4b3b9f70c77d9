// DNS over TLS (RFC 7858) to an upstream: a Dialer for the TCP pool and the health probe. One
// TlsDialer per forward line keeps the last TLS session of each upstream and offers it on the
// next connection, as CoreDNS's ClientSessionCache does, so a redial skips the full handshake.

import type { Socket } from 'node:net';
import { nodeTls } from '../util/builtin.ts';
import type { UpstreamAddress } from './address.ts';
import type { Dialer } from './dial.ts';

export interface TlsClientOptions {
  /** Client certificate and key (PEM), both or neither. */
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /**
   * CA bundle (PEM) that verifies the server. Absent: the system's CA store, as Go's crypto/tls
   * uses (not Node's bundled Mozilla list), so a cluster CA installed on the host works.
   */
  readonly ca?: Buffer;
  /** Name sent in SNI and checked against the certificate; the IP address when absent. */
  readonly serverName?: string;
}

/** Sessions kept per dialer; CoreDNS sizes its LRU to the number of upstreams (at most 15). */
const MAX_SESSIONS = 16;

export class TlsDialer implements Dialer {
  readonly proto = 'tcp-tls';
  readonly #options: TlsClientOptions;
  readonly #ca: Buffer | string[];
  readonly #sessions = new Map<string, Buffer>();

  constructor(options: TlsClientOptions) {
    this.#options = options;
    this.#ca = options.ca ?? nodeTls().getCACertificates('system');
  }

  /** Upstream labels with a stored session (for tests). */
  get sessionLabels(): string[] {
    return [...this.#sessions.keys()];
  }

  dial(address: UpstreamAddress, onReady: () => void): Socket {
    const o = this.#options;
    const label = address.label;
    const session = this.#sessions.get(label);
    const socket = nodeTls().connect(
      {
        host: address.host,
        port: address.port,
        ...(o.serverName !== undefined && { servername: o.serverName }),
        ca: this.#ca,
        ...(o.cert !== undefined && { cert: o.cert }),
        ...(o.key !== undefined && { key: o.key }),
        ...(session !== undefined && { session }),
      },
      onReady,
    );
    socket.setNoDelay(true);
    socket.on('session', (session: Buffer) => {
      this.#sessions.delete(label);
      if (this.#sessions.size >= MAX_SESSIONS) {
        const oldest = this.#sessions.keys().next().value;
        if (oldest !== undefined) this.#sessions.delete(oldest);
      }
      this.#sessions.set(label, session);
    });
    return socket;
  }
}
