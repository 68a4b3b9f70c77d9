// dns64 over real sockets (::1, as CoreDNS only translates for IPv6 clients by default).

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { query } from '../helpers/client.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { inspect } from '../helpers/inspect.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';
import { answers } from './ask.ts';
import { get, httpPort, parseExposition, value } from './observe-helpers.ts';

it('synthesises AAAA from A for IPv6 clients, as CoreDNS does', async (t) => {
  const soa = rr('test. 30 IN SOA ns.test. host.test. 1 2 3 4 50');
  const upstream = await startFakeUpstream((q) => {
    if (q.qname.startsWith('nx.'))
      return buildResponse({ query: q.wire, rcode: 3, authority: [soa] });
    if (q.qname.startsWith('dual.') && q.qtype === 28)
      return buildResponse({ query: q.wire, answer: [rr(`${q.qname} 30 IN AAAA 2001:db8::1`)] });
    if (q.qtype === 28) return buildResponse({ query: q.wire, authority: [soa] });
    return buildResponse({ query: q.wire, answer: [rr(`${q.qname} 300 IN A 192.0.2.33`)] });
  });
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `.:0 {\n bind ::1 127.0.0.1\n prometheus 127.0.0.1:0\n dns64 64:ff9b::/96\n forward . ${upstream.address}\n}\n`,
  );
  const port = (host: string): number =>
    agent.app.listeners().find((l) => l.host === host)?.port ?? 0;
  const ask6 = async (name: string, host = '::1') =>
    inspect(await query({ host, port: port(host), proto: 'udp', name, type: 'AAAA' }));
  const v4only = await ask6('v4only.test');
  assert.deepEqual(answers(v4only), ['64:ff9b::c000:221']);
  assert.equal(v4only.answer[0]?.ttl, 30, 'min(A TTL, the SOA TTL of the AAAA reply)');
  assert.equal(v4only.question?.type, 'AAAA');
  assert.deepEqual(answers(await ask6('dual.test')), ['2001:db8::1'], 'real AAAA kept');
  assert.equal((await ask6('nx.test')).status, 'NXDOMAIN', 'NXDOMAIN is not translated');
  const overV4 = await ask6('v4only.test', '127.0.0.1');
  assert.equal(overV4.answer.length, 0, 'IPv4 clients are not translated without allow_ipv4');
  const metrics = parseExposition((await get(httpPort(agent.app, '127.0.0.1:0'), '/metrics')).body);
  assert.equal(value(metrics, 'coredns_dns64_requests_translated_total'), 1);
});
