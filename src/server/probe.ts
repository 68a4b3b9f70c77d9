// The self-check query: a name only this process knows, answered by the server itself before
// any zone routing, so a reply proves the socket and the event loop work without involving
// upstreams. Readiness sends it through the real UDP socket.

import { randomBytes } from 'node:crypto';
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
