// A burst of UDP queries sent without waiting, for tests that flood a listener (a cache's waiter
// cap, the errors plugin's line budget). The queries go out from sockets of 100 each, so the
// burst of answers fits any socket's default receive buffer.

import { createSocket } from 'node:dgram';
import type { TestContext } from 'node:test';
import { buildTestQuery, messageId } from './client.ts';

const QUERIES_PER_SOCKET = 100;

/**
 * Sends `count` queries (IDs 0 to count - 1) for `nameOf(id)` to host:port. Returns the rcode
 * received per ID, filled in as replies arrive; the sockets close when the test ends.
 */
export async function udpBurst(
  t: TestContext,
  host: string,
  port: number,
  count: number,
  nameOf: (id: number) => string,
): Promise<Map<number, number>> {
  const rcodes = new Map<number, number>();
  for (let first = 0; first < count; first += QUERIES_PER_SOCKET) {
    const sock = createSocket('udp4');
    t.after(() => sock.close());
    sock.on('message', (msg) => rcodes.set(messageId(msg), (msg[3] as number) & 0xf));
    await new Promise<void>((r) => sock.bind(0, host, r));
    for (let id = first; id < Math.min(count, first + QUERIES_PER_SOCKET); id++)
      sock.send(buildTestQuery({ id, name: nameOf(id) }), port, host);
  }
  return rcodes;
}
