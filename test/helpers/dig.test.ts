// The dig/kdig parser against real output from knot, plus the knot helper and inspect() (the
// project's decoder must see what dig sees).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RRType } from '../../src/dns/constants.ts';
import { query } from './client.ts';
import { dig, kdig, parseDigOutput } from './dig.ts';
import { inspect } from './inspect.ts';
import {
  CLUSTER_ZONE,
  EXTERNAL_ZONE,
  type Knot,
  REVERSE_ZONE,
  startKnot,
  ZONE_DATA,
} from './knot.ts';
import { freePort } from './ports.ts';
import { CLUSTER_SOA_MINIMUM } from './zones.ts';

describe('dig helper against knot', () => {
  let knot: Knot;
  let at: string[];
  before(async () => {
    knot = await startKnot({
      zones: {
        'cluster.local': CLUSTER_ZONE,
        '10.in-addr.arpa': REVERSE_ZONE,
        'example.test': EXTERNAL_ZONE,
      },
    });
    at = [`@${knot.host}`, '-p', String(knot.port)];
  });
  after(() => knot.stop());

  it('parses an A answer with header, flags, counts and EDNS', async () => {
    const r = await dig([...at, ZONE_DATA.kubeDns, 'A']);
    assert.equal(r.status, 'NOERROR');
    assert.equal(r.opcode, 'QUERY');
    assert.equal(typeof r.id, 'number');
    assert.deepEqual(r.flags, ['qr', 'aa', 'rd']);
    assert.deepEqual(r.counts, { query: 1, answer: 1, authority: 0, additional: 1 });
    assert.deepEqual(r.question, [{ name: ZONE_DATA.kubeDns, class: 'IN', type: 'A' }]);
    assert.deepEqual(r.answer, [
      { name: ZONE_DATA.kubeDns, ttl: 30, class: 'IN', type: 'A', data: ZONE_DATA.kubeDnsV4 },
    ]);
    assert.equal(r.edns.present, true);
    assert.equal(r.edns.version, 0);
    assert.equal(r.edns.udpSize, 1232);
    assert.equal(r.edns.do, false);
    assert.equal(r.transport, 'UDP');
    assert.equal(r.truncatedRetry, false);
    assert.equal(r.exitCode, 0);
  });

  it('parses NXDOMAIN with the SOA in authority (knot serves min(TTL, MINIMUM))', async () => {
    const r = await dig([...at, ZONE_DATA.nxdomain, 'A']);
    assert.equal(r.status, 'NXDOMAIN');
    assert.equal(r.answer.length, 0);
    const soa = r.authority[0];
    assert.ok(soa);
    assert.equal(soa.type, 'SOA');
    assert.equal(soa.name, 'cluster.local.');
    assert.equal(soa.ttl, CLUSTER_SOA_MINIMUM);
    assert.match(
      soa.data,
      /^ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/,
    );
  });

  it('parses +tcp, +dnssec and EDNS options', async () => {
    const r = await dig([...at, ZONE_DATA.kubeDnsSrv, 'SRV', '+tcp', '+dnssec', '+nsid']);
    assert.equal(r.transport, 'TCP');
    assert.equal(r.edns.do, true);
    assert.deepEqual(r.edns.flags, ['do']);
    assert.ok(r.edns.options.some((o) => o.startsWith('NSID:')));
    assert.equal(r.answer[0]?.data, `0 100 53 ${ZONE_DATA.kubeDns}`);
    assert.deepEqual(r.additional.map((x) => x.type).sort(), ['A', 'AAAA']);
  });

  it('sees TC=1 with +bufsize=512 +ignore, and the TCP retry without +ignore', async () => {
    const tc = await dig([...at, ZONE_DATA.bigTxt, 'TXT', '+bufsize=512', '+ignore']);
    assert.ok(tc.flags.includes('tc'));
    assert.equal(tc.transport, 'UDP');
    assert.equal(tc.answer.length, 0);
    assert.ok((tc.msgSize ?? 0) <= 512);

    const retried = await dig([...at, ZONE_DATA.bigTxt, 'TXT', '+bufsize=512']);
    assert.equal(retried.truncatedRetry, true);
    assert.equal(retried.transport, 'TCP');
    assert.ok(!retried.flags.includes('tc'));
    assert.equal(retried.answer.length, 1);
    assert.ok((retried.msgSize ?? 0) > 512);
    assert.equal(retried.answer[0]?.data.split('" "').length, 3);
  });

  it('reports no EDNS with +noedns, CNAME chains and PTRs', async () => {
    const r = await dig([...at, ZONE_DATA.alias, 'A', '+noedns']);
    assert.equal(r.edns.present, false);
    assert.deepEqual(
      r.answer.map((x) => [x.type, x.data]),
      [
        ['CNAME', ZONE_DATA.web],
        ['A', ZONE_DATA.webV4],
      ],
    );
    const ptr = await dig([...at, '-x', ZONE_DATA.kubeDnsV4]);
    assert.equal(ptr.answer[0]?.name, ZONE_DATA.reverseKubeDns);
    assert.equal(ptr.answer[0]?.data, ZONE_DATA.kubeDns);
  });

  it('parses kdig output the same way', async () => {
    const r = await kdig([...at, ZONE_DATA.nxdomain, 'A', '+dnssec']);
    assert.equal(r.status, 'NXDOMAIN');
    assert.deepEqual(r.flags, ['qr', 'aa', 'rd']);
    assert.equal(r.edns.do, true);
    assert.equal(r.edns.udpSize, 1232);
    assert.equal(r.authority[0]?.type, 'SOA');
    assert.deepEqual(r.question, [{ name: ZONE_DATA.nxdomain, class: 'IN', type: 'A' }]);
    const big = await kdig([...at, ZONE_DATA.bigTxt, 'TXT', '+bufsize=512']);
    assert.equal(big.truncatedRetry, true);
    assert.equal(big.transport, 'TCP');
    assert.equal(big.answer.length, 1);
  });

  it('agrees with inspect() on the same answers fetched by the project client', async () => {
    for (const [name, type] of [
      [ZONE_DATA.many, 'A'],
      [ZONE_DATA.kubeDns, 'AAAA'],
      [ZONE_DATA.nxdomain, 'A'],
      ['anything.example.test.', 'A'],
      ['example.test.', 'TXT'],
      ['example.test.', 'MX'],
    ] as const) {
      const d = await dig([...at, name, type, '+norecurse']);
      const ours = inspect(
        await query({
          host: knot.host,
          port: knot.port,
          proto: 'tcp',
          name,
          type,
          edns: true,
          recursionDesired: false,
        }),
      );
      assert.equal(ours.status, d.status, name);
      assert.deepEqual(ours.flags, d.flags, name);
      assert.deepEqual(ours.answer, d.answer, name);
      assert.deepEqual(ours.authority, d.authority, name);
    }
    assert.equal(
      inspect(
        await query({
          host: knot.host,
          port: knot.port,
          proto: 'udp',
          name: ZONE_DATA.many,
          type: RRType.A,
        }),
      ).answer.length,
      ZONE_DATA.manyCount,
    );
  });

  it('counts the queries knot received', async () => {
    const before = await knot.queryCount();
    await dig([...at, ZONE_DATA.web, 'A']);
    await dig([...at, ZONE_DATA.web, 'A', '+tcp']);
    assert.equal((await knot.queryCount()) - before, 2);
  });
});

describe('dig helper without a server', () => {
  it('refuses to run without an explicit loopback server', async () => {
    await assert.rejects(dig(['example.test', 'A']), /explicit @127\.0\.0\.1/);
    await assert.rejects(dig(['@192.0.2.1', 'example.test', 'A']), /non-loopback/);
  });

  it('reports a connection error and no status when nothing listens', async () => {
    const port = await freePort();
    const r = await dig(['@127.0.0.1', '-p', String(port), 'example.test', 'A', '+time=1']);
    assert.equal(r.status, undefined);
    assert.notEqual(r.exitCode, 0);
    assert.ok(r.error, r.raw);
  });

  it('takes the last message when a tool printed several', () => {
    const text = [
      ';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1',
      ';; flags: qr tc rd; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0',
      ';; Truncated, retrying in TCP mode.',
      ';; ->>HEADER<<- opcode: QUERY, status: SERVFAIL, id: 2',
      ';; flags: qr rd ra; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0',
      ';; SERVER: 127.0.0.1#53(127.0.0.1) (TCP)',
    ].join('\n');
    const r = parseDigOutput(text);
    assert.equal(r.status, 'SERVFAIL');
    assert.equal(r.id, 2);
    assert.deepEqual(r.flags, ['qr', 'rd', 'ra']);
    assert.equal(r.truncatedRetry, true);
    assert.equal(r.transport, 'TCP');
  });
});
