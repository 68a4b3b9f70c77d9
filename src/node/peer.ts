// Is another agent serving on this node? Asked at shutdown, after our own sockets closed: with
// SO_REUSEPORT a new agent (a maxSurge rollout) may share our addresses, and tearing down the
// interface under it would black-hole the node. The kernel knows: a plain bind (no SO_REUSEPORT)
// to the local IP and DNS port fails with EADDRINUSE exactly while some other socket holds it.

import { createSocket } from 'node:dgram';
import { familyOf } from './types.ts';

/** True when some socket is bound to `ip`:`port` (UDP), i.e. another instance still serves. */
export function portTaken(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: familyOf(ip) === 6 ? 'udp6' : 'udp4', reuseAddr: false });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.close();
      // EADDRNOTAVAIL: the address is gone from the node, so nobody can serve on it
      resolve(err.code === 'EADDRINUSE');
    });
    socket.bind({ address: ip, port, exclusive: true }, () => socket.close(() => resolve(false)));
  });
}

/** The first local IP on which another instance serves, if any. */
export async function otherInstanceOn(
  ips: readonly string[],
  port: number,
): Promise<string | undefined> {
  for (const ip of ips) if (await portTaken(ip, port)) return ip;
  return undefined;
}
