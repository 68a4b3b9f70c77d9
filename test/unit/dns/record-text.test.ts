import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseRecordText, RecordTextError } from '../../../src/dns/record-text.ts';
import { formatRdata } from '../../helpers/inspect.ts';

function text(line: string): string {
  const r = parseRecordText(line);
  return `${Buffer.from(r.name).toString('hex')} ${r.type} ${r.class} ${r.ttl} ${formatRdata(Buffer.from(r.rdata), r.type, 0, r.rdata.length)}`;
}

it('parses zone-file lines as miekg/dns NewRR does', () => {
  assert.equal(text('a.example. 60 IN A 10.0.0.1'), '0161076578616d706c6500 1 1 60 10.0.0.1');
  assert.equal(
    text('a.example IN 60 AAAA fd00::1').split(' ').slice(1).join(' '),
    '28 1 60 fd00::1',
  );
  assert.equal(text('a. A 10.0.0.1').split(' ').slice(1, 4).join(' '), '1 1 3600', 'defaults');
  assert.equal(text('a. CH TXT "x y" z').split(' ').slice(2).join(' '), '3 3600 "x y" "z"');
  assert.equal(text('a. 5 MX 10 mail').split(' ').slice(4).join(' '), '10 mail.');
  assert.equal(text('_s._tcp.a. 5 SRV 1 2 53 t.a.').split(' ').slice(4).join(' '), '1 2 53 t.a.');
  assert.equal(
    text('a. 5 SOA ns. host. (1 2 3 4 5) ; comment').split(' ').slice(4).join(' '),
    'ns. host. 1 2 3 4 5',
  );
  assert.equal(text('a. 5 CNAME b.').split(' ').slice(4).join(' '), 'b.');
  assert.equal(
    text('a. 5 TYPE65000 \\# 2 abcd').split(' ').slice(1).join(' '),
    '65000 1 5 \\# 2 ABCD',
  );
});

it('refuses what NewRR refuses', () => {
  for (const bad of [
    '',
    'a.',
    'a. 60 IN A',
    'a. 60 IN A 10.0.0',
    'a. 60 IN AAAA 10.0.0.1',
    'a. 60 IN BOGUS x',
    'a. 60 IN MX x y',
    'a. 60 IN TXT "open',
    'a. 60 IN HINFO a b',
    'a..b. 60 IN A 10.0.0.1',
  ])
    assert.throws(() => parseRecordText(bad), RecordTextError, bad);
});
