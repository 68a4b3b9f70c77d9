import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rcode, RRType } from '../../src/dns/constants.ts';
import { walkMessage } from '../../src/dns/message.ts';
import { buildTestQuery } from './client.ts';
import { formatIpv6, inspect } from './inspect.ts';
import { buildResponse, buildTruncatedReply, ipv6Bytes, type RRSpec, rr } from './rr.ts';

const query = buildTestQuery({
  name: 'Web.Default.Svc.Cluster.Local.',
  type: 'A',
  id: 0x1234,
  edns: true,
});

describe('rr', () => {
  it('encodes every supported type so that dig-style decoding reads it back', () => {
    const specs: RRSpec[] = [
      { name: 'a.test.', ttl: 10, type: 'A', address: '192.0.2.1' },
      { name: 'a.test.', type: 'AAAA', address: '2001:db8::1' },
      { name: 'a.test.', type: 'CNAME', target: 'b.test.' },
      { name: 'test.', type: 'NS', target: 'ns.test.' },
      { name: '1.2.0.192.in-addr.arpa.', type: 'PTR', target: 'a.test.' },
      {
        name: '_dns._udp.test.',
        type: 'SRV',
        priority: 0,
        weight: 100,
        port: 53,
        target: 'a.test.',
      },
      { name: 'test.', type: 'MX', preference: 10, exchange: 'mail.test.' },
      {
        name: 'test.',
        ttl: 30,
        type: 'SOA',
        mname: 'ns.test.',
        rname: 'h.test.',
        serial: 7,
        minimum: 5,
      },
      { name: 'a.test.', type: 65280, rdata: Buffer.from([1, 2, 3]) },
    ];
    const m = inspect(buildResponse({ query, answer: specs }));
    assert.deepEqual(
      m.answer.map((r) => `${r.name} ${r.ttl} ${r.type} ${r.data}`),
      [
        'a.test. 10 A 192.0.2.1',
        'a.test. 300 AAAA 2001:db8::1',
        'a.test. 300 CNAME b.test.',
        'test. 300 NS ns.test.',
        '1.2.0.192.in-addr.arpa. 300 PTR a.test.',
        '_dns._udp.test. 300 SRV 0 100 53 a.test.',
        'test. 300 MX 10 mail.test.',
        'test. 30 SOA ns.test. h.test. 7 7200 1800 86400 5',
        'a.test. 300 TYPE65280 \\# 3 010203',
      ],
    );
  });

  it('splits long TXT strings into 255-byte character-strings', () => {
    const wire = buildResponse({
      query,
      answer: [{ name: 't.test.', type: 'TXT', text: 'x'.repeat(600) }],
    });
    const data = inspect(wire).answer[0]?.data ?? '';
    assert.deepEqual(
      data.split(' ').map((s) => s.length - 2),
      [255, 255, 90],
    );
  });

  it('keeps the SOA header TTL and MINIMUM apart in authority', () => {
    const wire = buildResponse({
      query,
      rcode: Rcode.NXDOMAIN,
      authority: [
        rr(
          'cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5',
        ),
      ],
    });
    assert.deepEqual(walkMessage(wire).soa, { ttl: 30, minimum: 5 });
  });

  it('parses presentation lines, quoted TXT and RFC 3597 rdata', () => {
    assert.deepEqual(rr('a.test. 60 IN A 192.0.2.7'), {
      name: 'a.test.',
      ttl: 60,
      class: 1,
      type: 'A',
      address: '192.0.2.7',
    });
    assert.deepEqual(rr('t.test. TXT "hello world" "x\\"y"'), {
      name: 't.test.',
      ttl: 300,
      class: 1,
      type: 'TXT',
      text: ['hello world', 'x"y'],
    });
    assert.deepEqual(rr('a.test. 5 CH TYPE999 \\# 2 abcd'), {
      name: 'a.test.',
      ttl: 5,
      class: 3,
      type: 999,
      rdata: Buffer.from([0xab, 0xcd]),
    });
    assert.throws(() => rr('a.test. 5 IN BOGUS 1'), /unsupported/);
  });

  it('round-trips IPv6 text forms', () => {
    for (const [text, want] of [
      ['2001:db8::1', '2001:db8::1'],
      ['::', '::'],
      ['::1', '::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'],
      ['2001:DB8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ] as const) {
      assert.equal(formatIpv6(ipv6Bytes(text)), want, text);
    }
    assert.throws(() => ipv6Bytes('1::2::3'));
    assert.throws(() => ipv6Bytes('12345::'));
  });
});

describe('buildResponse', () => {
  it('copies ID, question bytes, RD and CD from the query and echoes EDNS', () => {
    const m = inspect(
      buildResponse({ query, answer: [rr('web.default.svc.cluster.local. 30 IN A 10.96.12.34')] }),
    );
    assert.equal(m.id, 0x1234);
    assert.equal(m.question?.name, 'Web.Default.Svc.Cluster.Local.');
    assert.deepEqual(m.flags, ['qr', 'rd', 'ra']);
    assert.equal(m.edns.present, true);
  });

  it('writes a mismatched or missing question, another ID and flags on request', () => {
    const other = inspect(
      buildResponse({
        query,
        id: 7,
        question: { name: 'other.test.', type: 'AAAA' },
        flags: { aa: true, ra: false },
      }),
    );
    assert.equal(other.id, 7);
    assert.deepEqual(other.question, { name: 'other.test.', class: 'IN', type: 'AAAA' });
    assert.deepEqual(other.flags, ['qr', 'aa', 'rd']);
    const none = buildResponse({ query, question: null, edns: false });
    assert.equal(none.length, 12);
    assert.equal(none.readUInt16BE(4), 0);
  });

  it('controls owner case and compresses owners equal to the question', () => {
    const spec = [rr('web.default.svc.cluster.local. 30 IN A 10.96.12.34')];
    const asQuery = buildResponse({ query, answer: spec, ownerCase: 'query' });
    assert.equal(inspect(asQuery).answer[0]?.name, 'Web.Default.Svc.Cluster.Local.');
    assert.equal(
      inspect(buildResponse({ query, answer: spec, ownerCase: 'upper' })).answer[0]?.name,
      'WEB.DEFAULT.SVC.CLUSTER.LOCAL.',
    );
    const compressed = buildResponse({ query, answer: spec, ownerCase: 'query', compress: true });
    assert.equal(compressed.length, asQuery.length - 31 + 2);
    const start = walkMessage(compressed).records[0]?.start ?? 0;
    assert.deepEqual([...compressed.subarray(start, start + 2)], [0xc0, 0x0c]);
    assert.equal(inspect(compressed).answer[0]?.name, 'Web.Default.Svc.Cluster.Local.');
  });

  it('puts extended rcodes in the OPT record', () => {
    const m = inspect(
      buildResponse({
        query: buildTestQuery({ name: 'x.test.', edns: false }),
        rcode: Rcode.BADVERS,
      }),
    );
    assert.equal(m.rcode, Rcode.BADVERS);
    assert.equal(m.status, 'BADVERS');
  });

  it('can lie in the header counts and append trailing bytes', () => {
    assert.throws(() => walkMessage(buildResponse({ query, counts: { an: 1 }, edns: false })), {
      code: 'ERR_DNS_TRUNCATED',
    });
    assert.throws(() => walkMessage(buildResponse({ query, trailing: Buffer.from([0]) })), {
      code: 'ERR_DNS_TRAILING_DATA',
    });
  });

  it('builds a truncated reply with the question only', () => {
    const m = inspect(buildTruncatedReply(query));
    assert.ok(m.flags.includes('tc'));
    assert.equal(m.answer.length, 0);
    assert.equal(m.question?.type, 'A');
    assert.equal(m.layout.qtype, RRType.A);
  });
});
