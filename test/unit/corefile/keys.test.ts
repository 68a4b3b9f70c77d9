import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CorefileError } from '../../../src/corefile/errors.ts';
import { parseServerKey } from '../../../src/corefile/keys.ts';

const key = (text: string, line = 7): ReturnType<typeof parseServerKey> =>
  parseServerKey({ text, file: 'Corefile', line }, 53);

const nibbles = (hex: string): string => [...hex].reverse().join('.');

const positive: { input: string; zones: string[]; port: number }[] = [
  { input: '.', zones: ['.'], port: 53 },
  { input: '.:53', zones: ['.'], port: 53 },
  { input: ':1053', zones: ['.'], port: 1053 },
  { input: 'cluster.local:53', zones: ['cluster.local.'], port: 53 },
  { input: 'Cluster.Local.', zones: ['cluster.local.'], port: 53 },
  { input: 'dns://example.org', zones: ['example.org.'], port: 53 },
  { input: 'DNS://example.org:5353', zones: ['example.org.'], port: 5353 },
  { input: 'example.org:0', zones: ['example.org.'], port: 0 },
  { input: 'example.org:65535', zones: ['example.org.'], port: 65535 },
  { input: 'in-addr.arpa:53', zones: ['in-addr.arpa.'], port: 53 },
  // CIDR keys: octet and nibble boundaries give one zone, others one zone per value
  { input: '10.0.0.0/8', zones: ['10.in-addr.arpa.'], port: 53 },
  { input: '10.0.0.0/15', zones: ['0.10.in-addr.arpa.', '1.10.in-addr.arpa.'], port: 53 },
  {
    input: 'dns://10.0.0.0/15:5053',
    zones: ['0.10.in-addr.arpa.', '1.10.in-addr.arpa.'],
    port: 5053,
  },
  { input: '10.0.0.0/8:1053', zones: ['10.in-addr.arpa.'], port: 1053 },
  { input: '192.168.0.0/16', zones: ['168.192.in-addr.arpa.'], port: 53 },
  {
    input: '172.16.0.0/12',
    zones: [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31].map(
      (n) => `${n}.172.in-addr.arpa.`,
    ),
    port: 53,
  },
  {
    input: '192.0.2.128/25',
    zones: Array.from({ length: 128 }, (_, i) => `${128 + i}.2.0.192.in-addr.arpa.`),
    port: 53,
  },
  { input: '192.0.2.1/32', zones: ['1.2.0.192.in-addr.arpa.'], port: 53 },
  { input: '0.0.0.0/0', zones: ['in-addr.arpa.'], port: 53 },
  { input: 'fd00::/8', zones: ['d.f.ip6.arpa.'], port: 53 },
  { input: 'fd00::/7', zones: ['c.f.ip6.arpa.', 'd.f.ip6.arpa.'], port: 53 },
  {
    input: 'fd00::/9:1053',
    zones: ['0', '1', '2', '3', '4', '5', '6', '7'].map((n) => `${n}.d.f.ip6.arpa.`),
    port: 1053,
  },
  { input: '2001:db8::/32', zones: ['8.b.d.0.1.0.0.2.ip6.arpa.'], port: 53 },
  { input: '2001:db8::/64', zones: [`${nibbles('20010db800000000')}.ip6.arpa.`], port: 53 },
  {
    input: '2001:db8::1/128',
    zones: [`${nibbles('20010db8000000000000000000000001')}.ip6.arpa.`],
    port: 53,
  },
  { input: '::/0', zones: ['ip6.arpa.'], port: 53 },
  {
    input: '::ffff:10.0.0.0/104',
    zones: [`${nibbles('00000000000000000000ffff0a')}.ip6.arpa.`],
    port: 53,
  },
];

const negative: { input: string; message: RegExp }[] = [
  { input: 'tls://example.org', message: /only dns:\/\// },
  { input: 'https://example.org:443', message: /only dns:\/\// },
  { input: 'example.org:', message: /invalid port ''/ },
  { input: 'example.org:abc', message: /invalid port 'abc'/ },
  { input: 'example.org:65536', message: /invalid port '65536'/ },
  { input: 'example..org', message: /empty label/ },
  { input: `${'a'.repeat(64)}.org`, message: /63 bytes/ },
  { input: '10.0.0.0/33', message: /invalid CIDR/ },
  { input: '10.0.0.0/', message: /invalid CIDR/ },
  { input: '10.0.0/8', message: /invalid CIDR/ },
  { input: 'fd00::/129', message: /invalid CIDR/ },
  { input: 'example.org/8', message: /invalid CIDR/ },
];

describe('parseServerKey', () => {
  // positive
  for (const row of positive) {
    it(row.input, () => assert.deepEqual(key(row.input), { zones: row.zones, port: row.port }));
  }

  it('uses the default port for keys without one', () => {
    assert.equal(parseServerKey({ text: 'example.org', file: 'f', line: 1 }, 1053).port, 1053);
  });

  // negative
  for (const row of negative) {
    it(`rejects ${row.input}`, () => {
      assert.throws(
        () => key(row.input, 7),
        (err: unknown) =>
          err instanceof CorefileError &&
          err.code === 'ERR_COREFILE_VALUE' &&
          err.line === 7 &&
          err.message.startsWith('Corefile:7 - ') &&
          row.message.test(err.message),
      );
    });
  }
});
