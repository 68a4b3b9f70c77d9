// startKnot's failure paths and cleanup (the happy path is exercised by dig.test.ts).

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { query } from './client.ts';
import { inspect } from './inspect.ts';
import { KNOT_READY_MS, KnotZoneError, startKnot } from './knot.ts';

const ZONE = `$ORIGIN knot.test.
@ 30 IN SOA ns hostmaster 1 7200 1800 86400 5
@ 30 IN NS ns
ns 30 IN A 192.0.2.53
* 30 IN A 192.0.2.1
`;

describe('startKnot', () => {
  it('serves every zone, then stop() kills knotd and removes its directory', async (t) => {
    const knot = await startKnot({
      zones: { 'knot.test': ZONE, 'other.test': ZONE.replace('knot.test.', 'other.test.') },
    });
    t.after(() => knot.stop());
    const r = inspect(
      await query({ host: knot.host, port: knot.port, proto: 'udp', name: 'any.other.test.' }),
    );
    assert.equal(r.answer[0]?.data, '192.0.2.1');
    assert.equal(await knot.queryCount(), 1);
    await knot.stop();
    assert.equal(existsSync(knot.dir), false);
    assert.throws(() => process.kill(knot.pid, 0), { code: 'ESRCH' });
    await knot.stop(); // idempotent
  });

  it('fails fast with the knot log when a zone does not load', async () => {
    const started = performance.now();
    await assert.rejects(
      startKnot({
        zones: { 'bad.test': '$ORIGIN bad.test.\n@ 30 IN SOA ns hm 1 2 3 4 5\n@ IN A 999.1.1.1\n' },
      }),
      (err: unknown) => err instanceof KnotZoneError && /invalid IPv4 address/.test(err.message),
    );
    // Fast: on knot's log line, long before the readiness bound would give up.
    assert.ok(performance.now() - started < KNOT_READY_MS / 2);
  });
});
