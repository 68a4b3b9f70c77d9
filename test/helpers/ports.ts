// Free loopback ports for servers that cannot bind port 0 themselves (knotd, unbound, dnsperf
// targets). The port is found by binding UDP and TCP to port 0 on the same number, then closing;
// another process could take it before the caller binds, so callers should retry on EADDRINUSE.

import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const LOOPBACK = '127.0.0.1';

function bindUdp(port: number): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(port, LOOPBACK, () => {
      sock.off('error', reject);
      resolve({
        port: sock.address().port,
        close: () => new Promise<void>((done) => sock.close(() => done())),
      });
    });
  });
}

function canBindTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}

/** A port on 127.0.0.1 that was free for both UDP and TCP a moment ago. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const udp = await bindUdp(0);
    const tcpFree = await canBindTcp(udp.port);
    await udp.close();
    if (tcpFree) return udp.port;
  }
  throw new Error('no free UDP+TCP port on 127.0.0.1 after 20 tries');
}

/**
 * Throws unless `host` is a loopback address: tests and benchmarks may only talk to
 * 127.0.0.0/8 and ::1, never to a real resolver.
 */
export function assertLoopback(host: string): void {
  if (host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return;
  throw new Error(`refusing to send DNS traffic to non-loopback address ${JSON.stringify(host)}`);
}
