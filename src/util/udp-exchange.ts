// One query over a fresh UDP socket, for probes (readiness self-check, loop detection, upstream
// health checks): never rejects, resolves true when an acceptable reply arrives in time.

import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';

/**
 * Sends `query` to host:port and resolves true when a reply that `accept` takes arrives within
 * `timeoutMs` (default: any reply with the query's ID); false on timeout, refusal or socket error.
 * `host` may carry an IPv6 `%zone`.
 */
export function udpExchange(
  host: string,
  port: number,
  query: Buffer,
  timeoutMs: number,
  accept: (reply: Buffer) => boolean = (reply) =>
    reply.length >= 2 && reply.readUInt16BE(0) === query.readUInt16BE(0),
): Promise<boolean> {
  const socket = createSocket(isIPv6(host.split('%')[0] ?? host) ? 'udp6' : 'udp4');
  return new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners('message');
      socket.on('error', () => {});
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('error', () => finish(false));
    socket.on('message', (msg: Buffer) => {
      if (accept(msg)) finish(true);
    });
    // Connected, so only host:port's replies count and a refused port fails at once (ICMP).
    socket.connect(port, host, () => socket.send(query));
  });
}
