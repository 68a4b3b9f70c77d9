// A stop whose drain deadline passes with queries in flight closes the UDP socket under them;
// their replies are then expected to go nowhere. They are counted on the server's stats, and
// neither the chain's own write nor the server's error reply logs (or panics) per reply.

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { it } from 'node:test';
import { ListenerSet } from '../../src/app/listeners.ts';
import type { Handler, Result } from '../../src/chain/handler.ts';
import { buildErrorReply } from '../../src/dns/build.ts';
import { Rcode } from '../../src/dns/constants.ts';
import type { ZoneRoute } from '../../src/server/dns-server.ts';
import { ZoneTable } from '../../src/server/zones.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { buildTestQuery } from '../helpers/client.ts';
import { until } from '../helpers/wait.ts';

it('replies finished after the UDP socket closed are counted, not logged', async (t) => {
  const log = memoryLogger();
  // Every query waits here until the test lets it finish: `writes` ones write their own reply
  // (a plugin's path), the others return SERVFAIL unwritten (the server's error-reply path).
  const waiting: Array<() => void> = [];
  const handler: Handler = {
    name: 'held',
    serveDNS: (req, w) =>
      new Promise<Result>((resolve) => {
        waiting.push(() => {
          if (req.query.key.includes('writes')) {
            w.write(buildErrorReply(req.query, Rcode.NOERROR), 'held');
            resolve(Rcode.NOERROR);
          } else resolve(Rcode.SERVFAIL);
        });
      }),
  };
  const table = new ZoneTable<ZoneRoute>();
  table.add('test.', { handler, observer: undefined, tracker: { active: 0 } });
  const listeners = new ListenerSet('127.0.0.1', 0, table, log);
  await listeners.listen();

  const client = createSocket('udp4');
  t.after(() => client.close());
  for (const name of ['writes.test.', 'fails.test.']) {
    const wire = buildTestQuery({ name });
    await new Promise<void>((resolve, reject) =>
      client.send(wire, listeners.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
  }
  await until('both queries in the chain', () => waiting.length === 2);

  await listeners.close(20); // the drain deadline passes with both still in flight
  for (const finish of waiting) finish();

  await until(
    () => `both replies counted (${listeners.server.stats.unsentAfterClose})`,
    () => listeners.server.stats.unsentAfterClose === 2,
  );
  assert.equal(listeners.server.stats.panics, 0, log.lines.join('\n'));
  assert.deepEqual(
    log.lines.filter((l) => /reply failed|panic|Not running/i.test(l)),
    [],
  );
});
