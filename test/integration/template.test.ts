// template over real sockets: the node-local-dns uses (empty AAAA, a synthesised A), groups and
// matches, the stop-on-miss rule, fallthrough to forward, rcode and render failures.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';
import { answers, ask } from './ask.ts';
import { get, httpPort, parseExposition, value } from './observe-helpers.ts';

it('answers from templates as CoreDNS does, and counts matches and failures', async (t) => {
  const upstream = await startFakeUpstream((q) =>
    buildResponse({ query: q.wire, answer: [rr(`${q.qname} 30 IN A 192.0.2.9`)] }),
  );
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `.:0 {
  bind 127.0.0.1
  prometheus 127.0.0.1:0
  template ANY AAAA {
    rcode NOERROR
  }
  template IN A example.org {
    match "^(?P<host>[a-z]+)\\.example\\.org\\.$"
    answer "{{ .Name }} 60 IN A 10.0.0.1"
    additional "info.{{ .Group.host }}.example.org. 60 IN TXT \\"{{ index .Match 1 }} {{ .Type }} {{ .Class }} {{ .Zone }}\\""
    authority "example.org. 60 IN NS ns.example.org."
  }
  template IN MX example.net {
    match ^mx\\.example\\.net\\.$
    answer "{{ .Name }} 60 IN MX 10 mail.{{ .Zone }}"
    fallthrough
  }
  template IN TXT example.com {
    match ^broken\\.example\\.com\\.$
    answer "{{ index .Match 3 }} 60 IN TXT x"
    fallthrough
  }
  template IN TXT example.com {
    match ^badrr\\.example\\.com\\.$
    answer "{{ .Name }} 60 IN A 10.0.0"
    fallthrough
  }
  template IN A example.com {
    match ^nx\\.example\\.com\\.$
    rcode NXDOMAIN
    authority "example.com. 60 IN SOA ns.example.com. host.example.com. 1 7200 1800 86400 30"
    fallthrough
  }
  forward . ${upstream.address}
}
`,
  );
  const port = agent.port;
  const aaaa = await ask(port, 'anything.test', 'AAAA', { edns: true });
  assert.equal(aaaa.status, 'NOERROR');
  assert.ok(aaaa.flags.includes('aa'));
  assert.equal(aaaa.answer.length, 0);
  assert.equal(aaaa.edns.present, true, 'an EDNS query gets an OPT back');
  assert.equal(upstream.queries.length, 0, 'no AAAA went upstream');

  const a = await ask(port, 'Web.Example.org', 'A');
  assert.equal(a.status, 'NOERROR');
  assert.deepEqual(
    a.answer.map((r) => `${r.name} ${r.ttl} ${r.type} ${r.data}`),
    ['web.example.org. 60 A 10.0.0.1'],
  );
  assert.deepEqual(
    a.additional.map((r) => `${r.name} ${r.data}`),
    ['info.web.example.org. "web A IN example.org."'],
  );
  assert.deepEqual(answers({ ...a, answer: a.authority }), ['ns.example.org.']);
  // A fitting template whose regex misses, without fallthrough: SERVFAIL, nothing upstream.
  assert.equal((await ask(port, 'a.b.example.org', 'A')).status, 'SERVFAIL');
  assert.equal(upstream.queries.length, 0);
  // Type that fits no template: the next plugin (forward).
  assert.deepEqual(answers(await ask(port, 'web.example.org', 'TXT')), ['192.0.2.9']);
  assert.deepEqual(answers(await ask(port, 'mx.example.net', 'MX')), ['10 mail.example.net.']);
  // Regex miss with fallthrough: forward.
  assert.deepEqual(answers(await ask(port, 'other.example.net', 'MX')), ['192.0.2.9']);
  const nx = await ask(port, 'nx.example.com', 'A');
  assert.equal(nx.status, 'NXDOMAIN');
  assert.equal(nx.authority[0]?.type, 'SOA');
  assert.equal((await ask(port, 'broken.example.com', 'TXT')).status, 'SERVFAIL');
  assert.equal((await ask(port, 'badrr.example.com', 'TXT')).status, 'SERVFAIL');
  const metrics = parseExposition((await get(httpPort(agent.app, '127.0.0.1:0'), '/metrics')).body);
  assert.equal(value(metrics, 'coredns_template_matches_total', { zone: '.', type: 'AAAA' }), 1);
  assert.equal(
    value(metrics, 'coredns_template_matches_total', {
      zone: 'example.org.',
      class: 'IN',
      type: 'A',
    }),
    1,
  );
  assert.equal(
    value(metrics, 'coredns_template_template_failures_total', {
      section: 'answer',
      template: '{{index .Match 3}} 60 IN TXT x',
    }),
    1,
  );
  assert.equal(value(metrics, 'coredns_template_rr_failures_total', { type: 'TXT' }), 1);
});
