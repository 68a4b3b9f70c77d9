// Cache rules over real sockets against the project's scripted upstream: RFC 2308 negative TTLs,
// coalescing of concurrent misses that wait on a late answer, owner-name case kept, a large
// answer fitted per client, SERVFAIL cached briefly.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Rcode } from '../../src/dns/constants.ts';
import { query } from '../helpers/client.ts';
import { dig } from '../helpers/dig.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { inspect } from '../helpers/inspect.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';

const SOA = 'example.test. 30 IN SOA ns.example.test. host.example.test. 1 7200 900 1209600 5';

it('applies the cache rules to answers from a scripted upstream over UDP and TCP', async (t) => {
  const upstream = await startFakeUpstream((q) => {
    const name = q.qname.toLowerCase();
    if (name.startsWith('missing.'))
      return buildResponse({ query: q.wire, rcode: Rcode.NXDOMAIN, authority: [rr(SOA)] });
    if (name.startsWith('broken.')) return buildResponse({ query: q.wire, rcode: Rcode.SERVFAIL });
    if (name.startsWith('late.'))
      return {
        kind: 'reply',
        delayMs: 300,
        wire: buildResponse({
          query: q.wire,
          answer: [rr('late.example.test. 60 IN A 192.0.2.7')],
        }),
      };
    if (name.startsWith('big.')) {
      return buildResponse({
        query: q.wire,
        answer: Array.from({ length: 60 }, (_, i) =>
          rr(`big.example.test. 60 IN A 192.0.2.${i + 1}`),
        ),
      });
    }
    return buildResponse({ query: q.wire, answer: [rr('WWW.Example.TEST. 60 IN A 192.0.2.80')] });
  });
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `example.test:0 {\n bind 127.0.0.1\n cache 300\n forward . ${upstream.address}\n}\n`,
  );
  const ask = (name: string, proto: 'udp' | 'tcp' = 'udp', id?: number) =>
    query({
      host: '127.0.0.1',
      port: agent.port,
      proto,
      name,
      ...(id === undefined ? {} : { id }),
    }).then(inspect);

  // RFC 2308: SOA TTL 30 but MINIMUM 5, so the denial is cached (and announced) for 5 s.
  const nx = await ask('missing.example.test.');
  assert.equal(nx.status, 'NXDOMAIN');
  assert.equal(nx.authority[0]?.ttl, 5);
  await ask('missing.example.test.', 'tcp');
  assert.equal(upstream.count({ qname: 'missing.example.test.' }), 1);

  // Owner names keep the upstream's case, the question keeps the client's.
  const www = await ask('www.EXAMPLE.test.');
  assert.equal(www.question?.name, 'www.EXAMPLE.test.');
  assert.equal(www.answer[0]?.name, 'WWW.Example.TEST.');

  // Twenty clients ask a name whose answer is late: one upstream query, twenty answers.
  const late = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      ask('late.example.test.', i % 2 === 0 ? 'udp' : 'tcp', 100 + i),
    ),
  );
  assert.deepEqual(
    late.map((m) => m.id),
    Array.from({ length: 20 }, (_, i) => 100 + i),
  );
  assert.ok(late.every((m) => m.answer[0]?.data === '192.0.2.7'));
  assert.equal(upstream.count({ qname: 'late.example.test.' }), 1);

  // A 60-record answer: truncated for a plain UDP client, whole over TCP, one upstream query.
  const small = await ask('big.example.test.');
  assert.ok(small.flags.includes('tc') && small.answer.length < 60);
  assert.equal((await ask('big.example.test.', 'tcp')).answer.length, 60);
  assert.equal(upstream.count({ qname: 'big.example.test.' }), 1);

  // SERVFAIL from the upstream is cached for the default 5 s.
  assert.equal((await ask('broken.example.test.')).status, 'SERVFAIL');
  assert.equal(
    (await dig(['@127.0.0.1', '-p', String(agent.port), 'broken.example.test'])).status,
    'SERVFAIL',
  );
  assert.equal(upstream.count({ qname: 'broken.example.test.' }), 1);
});
