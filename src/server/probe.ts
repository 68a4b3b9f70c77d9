// The self-check query: a name only this process knows, answered by the server itself before
// any zone routing, so a reply proves the socket and the event loop work without involving
// upstreams. Readiness sends it through the real UDP socket.

import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { buildQuery } from '../dns/build.ts';
import { RRClass, RRType } from '../dns/constants.ts';
import { nameToWire } from '../dns/name.ts';

export const PROBE_NAME = `nodelocaldns-self-check-${randomBytes(6).toString('hex')}.`;
const PROBE_WIRE = nameToWire(PROBE_NAME);

/** The key scanQuery computes for the probe (CH TXT, no DO, no CD: no flag suffix). */
export const PROBE_KEY = Buffer.concat([
  PROBE_WIRE,
  Buffer.from([RRType.TXT >> 8, RRType.TXT & 0xff, RRClass.CH >> 8, RRClass.CH & 0xff]),
]).toString('latin1');

export function buildProbe(id: number): Buffer {
  return buildQuery(id, PROBE_WIRE, RRType.TXT, { qclass: RRClass.CH, recursionDesired: false });
}

/**
 * Sends one query over a fresh UDP socket and resolves true when a reply with the query's ID
 * arrives within `timeoutMs` (false on timeout or socket error). `host` may carry a `%zone`.
 */
export function udpExchange(
  host: string,
  port: number,
  query: Buffer,
  timeoutMs: number,
): Promise<boolean> {
  const target = host.split('%')[0] ?? host;
  const socket = createSocket(isIPv6(target) ? 'udp6' : 'udp4');
  const id = query.readUInt16BE(0);
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === id) done(true);
    });
    socket.send(query, port, host);
  });
}
