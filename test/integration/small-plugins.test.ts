// bufsize, loadbalance, whoami, metadata and debug over real sockets.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';
import { answers, ask } from './ask.ts';

it('bufsize clamps the EDNS size sent upstream, only downwards', async (t) => {
  const upstream = await startFakeUpstream((q) =>
    buildResponse({ query: q.wire, answer: [rr(`${q.qname} 30 IN A 192.0.2.1`)] }),
  );
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `.:0 {\n bind 127.0.0.1\n bufsize 1100\n metadata\n debug\n forward . ${upstream.address}\n}\n`,
  );
  const sizes: number[] = [];
  for (const [name, edns] of [
    ['big.test', true],
    ['plain.test', false],
  ] as const) {
    const reply = await ask(agent.port, name, 'A', { edns });
    assert.deepEqual(answers(reply), ['192.0.2.1']);
    const q = upstream.queries.find((x) => x.qname === `${name}.`);
    sizes.push(q?.hasEdns === true ? q.scanned.ednsUdpSize : 0);
  }
  // The test client advertises 1232 with EDNS: clamped to 1100; without EDNS nothing is added.
  assert.deepEqual(sizes, [1100, 0]);
});

it('loadbalance shuffles A records and keeps the CNAME first', async (t) => {
  const addresses = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'];
  const upstream = await startFakeUpstream((q) =>
    buildResponse({
      query: q.wire,
      compress: true,
      answer: [
        rr(`${q.qname} 30 IN CNAME real.test.`),
        ...addresses.map((a) => rr(`real.test. 30 IN A ${a}`)),
      ],
    }),
  );
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `.:0 {\n bind 127.0.0.1\n loadbalance round_robin\n cache 30\n forward . ${upstream.address}\n}\n`,
  );
  const firsts = new Set<string>();
  // 24 orders are possible; 40 tries all starting with one address has odds of 4^-39.
  for (let i = 0; i < 40 && firsts.size < 2; i++) {
    const reply = await ask(agent.port, 'www.test', 'A');
    assert.equal(reply.answer[0]?.type, 'CNAME');
    assert.deepEqual(answers(reply).slice(1).sort(), addresses);
    firsts.add(answers(reply)[1] ?? '');
  }
  assert.ok(firsts.size >= 2, 'different addresses came first');
  assert.equal(upstream.queries.length, 1, 'cache hits are shuffled too');
});

it('whoami reports the client address and port, over UDP and TCP', async (t) => {
  const agent = await startAgent(t, '.:0 {\n bind 127.0.0.1\n whoami\n}\n');
  for (const proto of ['udp', 'tcp'] as const) {
    const reply = await ask(agent.port, 'Who.Test', 'A', { proto });
    assert.equal(reply.status, 'NOERROR');
    assert.ok(reply.flags.includes('aa'));
    assert.equal(reply.answer.length, 0);
    const [a, srv] = reply.additional;
    assert.equal(`${a?.name} ${a?.ttl} ${a?.type} ${a?.data}`, 'Who.Test. 0 A 127.0.0.1');
    assert.equal(srv?.name, `_${proto}.Who.Test.`);
    assert.match(srv?.data ?? '', /^0 0 \d+ \.$/);
    assert.notEqual(srv?.data, '0 0 0 .');
  }
});
