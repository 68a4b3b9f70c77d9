import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  addressFromReverse,
  formatIP,
  parseIP,
  parseIPv4,
  parseIPv6,
  reverseName,
} from '../../../src/dns/address.ts';

it('parses and formats IPv4 and IPv6 (RFC 5952)', () => {
  assert.deepEqual(Array.from(parseIPv4('10.0.0.255') ?? []), [10, 0, 0, 255]);
  for (const bad of ['10.0.0', '10.0.0.256', '1.2.3.4.5', 'a.b.c.d', '01234.1.1.1'])
    assert.equal(parseIPv4(bad), undefined, bad);
  for (const [text, canonical] of [
    ['fd00::1', 'fd00::1'],
    ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
    ['::', '::'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ] as const) {
    const bytes = parseIPv6(text);
    assert.ok(bytes, text);
    assert.equal(formatIP(bytes), canonical);
  }
  for (const bad of [
    '1::2::3',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '12345::',
    'g::1',
    '1:2:3:4:5:6:7::8',
  ])
    assert.equal(parseIPv6(bad), undefined, bad);
  assert.equal(parseIP('x'), undefined);
});

it('maps addresses to reverse names and back', () => {
  const v4 = parseIP('192.0.2.10') as Uint8Array;
  assert.equal(reverseName(v4), '10.2.0.192.in-addr.arpa.');
  assert.deepEqual(addressFromReverse('10.2.0.192.in-addr.arpa.'), v4);
  const v6 = parseIP('2001:db8::567:89ab') as Uint8Array;
  const name = reverseName(v6);
  assert.equal(name, 'b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.');
  assert.deepEqual(addressFromReverse(name), v6);
  for (const bad of [
    '2.0.192.in-addr.arpa.',
    'x.2.0.192.in-addr.arpa.',
    '1.ip6.arpa.',
    'example.org.',
  ])
    assert.equal(addressFromReverse(bad), undefined, bad);
});
