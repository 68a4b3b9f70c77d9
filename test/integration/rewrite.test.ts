// rewrite over real sockets, against a scripted upstream that sees the rewritten query: name
// rules of every match type with CoreDNS v1.11's reversals, stop/continue, type, ttl, edns0.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { readEdnsOptions } from '../../src/dns/query-rewrite.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';
import { ask } from './ask.ts';

const view = (m: Awaited<ReturnType<typeof ask>>): string[] =>
  m.answer.map((r) => `${r.name} ${r.ttl} ${r.type} ${r.data}`);

it('rewrites queries and reverses replies as CoreDNS v1.11 does', async (t) => {
  const upstream = await startFakeUpstream((q) => {
    if (q.qname.startsWith('chain.'))
      return buildResponse({
        query: q.wire,
        compress: true,
        answer: [
          rr(`${q.qname} 30 IN CNAME target.b.test.`),
          rr('target.b.test. 30 IN A 10.0.0.2'),
        ],
      });
    const type = q.qtype === 16 ? 'TXT "t"' : 'A 10.0.0.1';
    return buildResponse({
      query: q.wire,
      compress: true,
      // The helper only spots option-less OPTs; the edns0 rule adds an option.
      edns: q.hasEdns ? {} : false,
      answer: [rr(`${q.qname} 60 IN ${type}`), rr(`${q.qname} 5 IN TXT "x"`)],
    });
  });
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `.:0 {
  bind 127.0.0.1
  rewrite name exact ex.a.test real.b.test
  rewrite name suffix .s.test .b.test answer auto
  rewrite name prefix pre. real.
  rewrite stop {
    name regex (.*)-(us-west-1)\\.example\\.org {1}.service.{2}.consul
    answer name (.*)\\.service\\.(us-west-1)\\.consul {1}-{2}.example.org
  }
  rewrite continue name substring one two
  rewrite name suffix .c.test .b.test answer auto
  rewrite ttl suffix .ttl.test 10-20
  rewrite type MX TXT
  rewrite edns0 local set 0xffee abcd
  forward . ${upstream.address}
}
`,
  );
  const port = agent.port;
  const seen = (): string => {
    const last = upstream.queries[upstream.queries.length - 1];
    return `${last?.qname} ${last?.qtype}`;
  };

  const exact = await ask(port, 'Ex.A.test', 'A');
  assert.equal(seen(), 'real.b.test. 1');
  assert.equal(exact.question?.name, 'Ex.A.test.', 'the client question, as sent');
  assert.deepEqual(view(exact), ['ex.a.test. 60 A 10.0.0.1', 'ex.a.test. 5 TXT "x"']);

  const chain = await ask(port, 'chain.s.test', 'A');
  assert.equal(seen(), 'chain.b.test. 1');
  assert.deepEqual(view(chain), [
    'chain.s.test. 30 CNAME target.s.test.',
    'target.s.test. 30 A 10.0.0.2',
  ]);

  const prefix = await ask(port, 'pre.b.test', 'A');
  assert.equal(seen(), 'real.b.test. 1');
  assert.equal(prefix.question?.name, 'pre.b.test.');
  assert.equal(
    prefix.answer[0]?.name,
    'real.b.test.',
    'prefix without answer auto is not reversed',
  );

  const regex = await ask(port, 'ftp-us-west-1.example.org', 'A');
  assert.equal(seen(), 'ftp.service.us-west-1.consul. 1');
  assert.equal(regex.answer[0]?.name, 'ftp-us-west-1.example.org.');

  // continue: the substring rule fires and the suffix rule after it too.
  const both = await ask(port, 'one.c.test', 'A');
  assert.equal(seen(), 'two.b.test. 1');
  assert.equal(both.question?.name, 'one.c.test.');
  assert.equal(both.answer[0]?.name, 'two.c.test.', 'auto reverses only its own rule');

  const ttl = await ask(port, 'x.ttl.test', 'A');
  assert.deepEqual(
    ttl.answer.map((r) => r.ttl),
    [20, 10],
  );

  const typed = await ask(port, 'mx.test', 'MX');
  assert.equal(seen(), 'mx.test. 16');
  assert.equal(typed.question?.type, 'MX');
  assert.equal(typed.answer[0]?.type, 'TXT');

  // The edns0 rule: the upstream sees the option; a client without EDNS gets no OPT back.
  const plain = await ask(port, 'plain.test', 'A');
  const last = upstream.queries[upstream.queries.length - 1];
  assert.deepEqual(
    last === undefined
      ? []
      : readEdnsOptions(last.scanned).map((o) => [o.code, Buffer.from(o.data).toString()]),
    [[0xffee, 'abcd']],
  );
  assert.equal(plain.edns.present, false);
  assert.equal((await ask(port, 'plain.test', 'A', { edns: true })).edns.present, true);
  // stop: after the exact rule nothing else ran (no edns0 option on that query).
  const exactQuery = upstream.queries.find((q) => q.qname === 'real.b.test.');
  assert.equal(exactQuery?.hasEdns, false);
});

it('reverses only the rdata names CoreDNS v1.11 does: a SOA MNAME, not its RNAME or a PTR', async (t) => {
  const soa = 'b.test. 30 IN SOA ns1.b.test. hostmaster.b.test. 1 7200 900 86400 5';
  const upstream = await startFakeUpstream((q) =>
    q.qtype === 12
      ? buildResponse({ query: q.wire, answer: [rr(`${q.qname} 30 IN PTR host.b.test.`)] })
      : buildResponse({ query: q.wire, authority: [rr(soa)] }),
  );
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `.:0 {
  bind 127.0.0.1
  rewrite name suffix .s.test .b.test answer auto
  forward . ${upstream.address}
}
`,
  );
  const nodata = await ask(agent.port, 'x.s.test', 'AAAA');
  assert.deepEqual(
    nodata.authority.map((r) => r.data),
    ['ns1.s.test. hostmaster.b.test. 1 7200 900 86400 5'],
  );
  const ptr = await ask(agent.port, 'p.s.test', 'PTR');
  assert.deepEqual(view(ptr), ['p.s.test. 30 PTR host.b.test.']);
});
