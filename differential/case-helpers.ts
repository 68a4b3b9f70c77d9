// Building blocks for the differential cases: raw queries patched byte by byte, the intended
// ids every cached reply shows, and a mask for whoami's per-socket port.

import { buildTestQuery, type QuerySpec } from '../test/helpers/client.ts';
import { type Case, QUERY_ID } from './ask.ts';

/** Every reply from a block with `cache` (intended.ts). */
export const CACHED: readonly string[] = ['cache-aa', 'cache-ra'];

/** A query built as usual (with the ID ask.ts sends), then patched byte by byte. */
export function patched(spec: QuerySpec, patch: (wire: Buffer) => void): QuerySpec {
  const wire = Buffer.from(buildTestQuery({ ...spec, id: QUERY_ID }));
  patch(wire);
  return { raw: wire };
}

/** The OPT record is the last 11 bytes: its UDP size at -8, its version at -5. */
export const withUdpSize = (spec: QuerySpec, size: number): QuerySpec =>
  patched({ ...spec, edns: true }, (w) => w.writeUInt16BE(size, w.length - 8));

/** whoami answers with the client's source port, which differs between the two sockets. */
export const maskWhoamiPort: NonNullable<Case['mask']> = (r) =>
  r.type === 'SRV' ? { ...r, data: r.data.replace(/^(\d+ \d+) \d+/, '$1 PORT') } : r;
