// No amplification over UDP: whatever the upstream answered, a UDP reply never exceeds what
// the client can take, 512 bytes without EDNS, the advertised size with it (raised to 512 when
// lower), from the upstream and from the cache alike; the full answer is there over TCP.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildTestQuery, query } from '../helpers/client.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { inspect } from '../helpers/inspect.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';

const RECORDS = 150; // about 9 KiB of TXT records

/** A query advertising `size` in its OPT record (undefined: no EDNS). */
function queryWithSize(name: string, size: number | undefined): Buffer {
  const wire = buildTestQuery({ name, type: 'TXT', edns: size !== undefined });
  if (size !== undefined) wire.writeUInt16BE(size, wire.length - 11 + 3);
  return wire;
}

it('keeps every UDP answer within the client buffer, from upstream and from the cache', async (t) => {
  const upstream = await startFakeUpstream((q) =>
    buildResponse({
      query: q.wire,
      answer: Array.from({ length: RECORDS }, (_, i) =>
        rr(`${q.qname} 60 IN TXT "record ${i} ${'x'.repeat(40)}"`),
      ),
    }),
  );
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `example.:0 {\n bind 127.0.0.1\n cache 30\n forward . ${upstream.address} {\n  force_tcp\n }\n}\n`,
  );
  const cases: Array<[number | undefined, number]> = [
    [undefined, 512],
    [100, 512],
    [512, 512],
    [1232, 1232],
    [4096, 4096],
  ];
  for (const name of ['fresh.example.', 'fresh.example.']) {
    for (const [advertised, limit] of cases) {
      const reply = await query({
        host: '127.0.0.1',
        port: agent.port,
        proto: 'udp',
        raw: queryWithSize(name, advertised),
      });
      assert.ok(reply.length <= limit, `${reply.length} bytes for a ${advertised} buffer`);
      const m = inspect(reply);
      assert.ok(m.flags.includes('tc'), `TC set for a ${advertised} buffer`);
      assert.ok(m.answer.length < RECORDS);
    }
  }
  const full = inspect(
    await query({
      host: '127.0.0.1',
      port: agent.port,
      proto: 'tcp',
      name: 'fresh.example.',
      type: 'TXT',
    }),
  );
  assert.equal(full.answer.length, RECORDS);
  assert.equal(upstream.count({ qname: 'fresh.example.' }), 1, 'later answers came from the cache');
});
