import assert from 'node:assert/strict';
import { it } from 'node:test';
import { formatIP, parseIP } from '../../../../src/dns/address.ts';
import { parseBufsize } from '../../../../src/plugins/bufsize/setup.ts';
import { parseDebug } from '../../../../src/plugins/debug/setup.ts';
import { embed, parseDns64 } from '../../../../src/plugins/dns64/setup.ts';
import { parseLoadbalance } from '../../../../src/plugins/loadbalance/setup.ts';
import { parseWhoami } from '../../../../src/plugins/whoami/setup.ts';
import { errorOf, parseLine } from '../setup-table.ts';

it('parses dns64 and embeds IPv4 addresses as RFC 6052 2.2 says', () => {
  const c = parseLine('dns64', parseDns64);
  assert.equal(formatIP(c.prefix), '64:ff9b::');
  assert.equal(c.prefixLength, 96);
  const b = parseLine('dns64 {\n prefix 2001:db8::/32\n translate_all\n allow_ipv4\n}', parseDns64);
  assert.deepEqual([b.prefixLength, b.translateAll, b.allowIpv4], [32, true, true]);
  const v4 = parseIP('192.0.2.33') as Uint8Array;
  // RFC 6052 2.4's table: 192.0.2.33 under each prefix length.
  for (const [prefix, want] of [
    ['2001:db8::/32', '2001:db8:c000:221::'],
    ['2001:db8:100::/40', '2001:db8:1c0:2:21::'],
    ['2001:db8:122::/48', '2001:db8:122:c000:2:2100::'],
    ['2001:db8:122:300::/56', '2001:db8:122:3c0:0:221::'],
    ['2001:db8:122:344::/64', '2001:db8:122:344:c0:2:2100:0'],
    ['2001:db8:122:344::/96', '2001:db8:122:344::192.0.2.33'],
  ] as const) {
    const p = parseLine(`dns64 ${prefix}`, parseDns64);
    const got = formatIP(embed(p.prefix, p.prefixLength, v4));
    assert.equal(got, formatIP(parseIP(want) as Uint8Array), prefix);
  }
  assert.match(errorOf('dns64 2001:db8::/33', parseDns64), /invalid prefix/);
  assert.match(errorOf('dns64 10.0.0.0/96', parseDns64), /invalid prefix/);
  assert.match(errorOf('dns64 {\n bogus\n}', parseDns64), /unknown property 'bogus'/);
});

it('parses bufsize, loadbalance, whoami and debug as CoreDNS', () => {
  assert.deepEqual(parseLine('bufsize', parseBufsize), { size: 1232 });
  assert.deepEqual(parseLine('bufsize 512', parseBufsize), { size: 512 });
  assert.match(
    errorOf('bufsize 511', parseBufsize),
    /^ERR_COREFILE_VALUE Corefile:2 - .*512 to 4096/,
  );
  assert.match(errorOf('bufsize 4097', parseBufsize), /512 to 4096/);
  assert.deepEqual(parseLine('loadbalance', parseLoadbalance), { policy: 'round_robin' });
  assert.match(errorOf('loadbalance weighted f', parseLoadbalance), /ERR_COREFILE_ARGS/);
  assert.match(errorOf('loadbalance weighted', parseLoadbalance), /not supported/);
  assert.match(errorOf('loadbalance random', parseLoadbalance), /unknown policy/);
  assert.match(errorOf('whoami x', parseWhoami), /ERR_COREFILE_ARGS/);
  assert.match(errorOf('debug x', parseDebug), /ERR_COREFILE_ARGS/);
});
