// The cache in front of a real authoritative server (knot) serving cluster.local and a reverse
// zone, over force_tcp as node-cache's cluster blocks do.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dig } from '../helpers/dig.ts';
import { CLUSTER_ZONE, REVERSE_ZONE, startKnot, ZONE_DATA } from '../helpers/knot.ts';
import { CLUSTER_SOA_MINIMUM } from '../helpers/zones.ts';
import { startAgent } from './agent-harness.ts';

describe('cache in front of knot', () => {
  it('answers A, AAAA, SRV, PTR and NXDOMAIN, then serves repeats without upstream traffic', async (t) => {
    const knot = await startKnot({
      zones: { 'cluster.local': CLUSTER_ZONE, '10.in-addr.arpa': REVERSE_ZONE },
    });
    t.after(() => knot.stop());
    const block = (zone: string) =>
      `${zone}:0 {\n bind 127.0.0.1\n errors\n cache {\n success 9984 30\n denial 9984 60\n }\n forward . 127.0.0.1:${knot.port} {\n force_tcp\n }\n}`;
    const agent = await startAgent(t, `${block('cluster.local')}\n${block('in-addr.arpa')}\n`);
    const ask = (...args: string[]) => dig(['@127.0.0.1', '-p', String(agent.port), ...args]);
    const questions: string[][] = [
      [ZONE_DATA.kubeDns, 'A'],
      [ZONE_DATA.kubeDns, 'AAAA'],
      [ZONE_DATA.kubeDnsSrv, 'SRV'],
      ['-x', ZONE_DATA.kubeDnsV4],
      [ZONE_DATA.nxdomain, 'A'],
      [ZONE_DATA.v6only, 'A'],
    ];
    const first = [];
    for (const q of questions) first.push(await ask(...q));
    const upstreamQueries = await knot.queryCount();
    assert.equal(upstreamQueries, questions.length);
    assert.equal(first[0]?.answer[0]?.data, ZONE_DATA.kubeDnsV4);
    assert.equal(first[1]?.answer[0]?.data, ZONE_DATA.kubeDnsV6);
    assert.match(
      first[2]?.answer[0]?.data ?? '',
      /53 kube-dns\.kube-system\.svc\.cluster\.local\.$/,
    );
    assert.equal(first[3]?.answer[0]?.data, ZONE_DATA.kubeDns);
    assert.equal(first[4]?.status, 'NXDOMAIN');
    // RFC 2308: min(SOA TTL 30, MINIMUM 5); the denial cap of 60 does not raise it.
    assert.equal(first[4]?.authority[0]?.ttl, CLUSTER_SOA_MINIMUM);
    assert.equal(first[5]?.status, 'NOERROR');
    assert.equal(first[5]?.answer.length, 0);
    for (const reply of first)
      assert.ok(!reply.flags.includes('aa'), 'a cache does not claim authority');
    for (const q of questions) await ask(...q);
    assert.equal(await knot.queryCount(), upstreamQueries);
  });
});
