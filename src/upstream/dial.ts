// How a stream connection to an upstream is opened. The TCP pool and the health probe take a
// Dialer, so plain TCP and DNS over TLS (./tls.ts) share the same pipelined framing code.

import { connect, type Socket } from 'node:net';
import type { UpstreamAddress } from './address.ts';

/** CoreDNS's `proto` label of the connection-cache metrics. */
export type StreamProto = 'tcp' | 'tcp-tls';

export interface Dialer {
  readonly proto: StreamProto;
  /**
   * Starts a connection; `onReady` runs once it can carry queries (TCP connected, or the TLS
   * handshake done and the certificate verified). Failures surface as the socket's
   * 'error' and 'close' events.
   */
  dial(address: UpstreamAddress, onReady: () => void): Socket;
}

export const plainTcp: Dialer = {
  proto: 'tcp',
  dial(address, onReady) {
    const { host, port, family } = address;
    const socket = connect({ host, port, family, noDelay: true });
    socket.once('connect', onReady);
    return socket;
  },
};
