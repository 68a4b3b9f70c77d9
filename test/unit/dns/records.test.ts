import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildQuery } from '../../../src/dns/build.ts';
import { nameToWire } from '../../../src/dns/name.ts';
import { expandMessage, packMessage, rdataNames } from '../../../src/dns/records.ts';
import { inspect } from '../../helpers/inspect.ts';
import { buildResponse, rr } from '../../helpers/rr.ts';

it('expands compressed names (owners and rdata) and packs back to the same records', () => {
  const query = buildQuery(9, nameToWire('www.example.org.'), 15, { edns: true });
  const wire = buildResponse({
    query,
    compress: true,
    answer: [
      rr('www.example.org. 60 IN CNAME mail.example.org.'),
      rr('www.example.org. 60 IN MX 10 mail.example.org.'),
    ],
    authority: [rr('example.org. 60 IN SOA ns.example.org. host.example.org. 1 2 3 4 5')],
  });
  const m = expandMessage(wire);
  assert.equal(m.records.length, 4, 'three records and the OPT');
  const mx = m.records[1];
  assert.ok(mx);
  assert.deepEqual(
    rdataNames(mx).names.map((n) => Buffer.from(n).toString('hex')),
    [Buffer.from(nameToWire('mail.example.org.')).toString('hex')],
  );
  const repacked = packMessage(m);
  const a = inspect(wire);
  const b = inspect(repacked);
  assert.deepEqual(b.answer, a.answer);
  assert.deepEqual(b.authority, a.authority);
  assert.deepEqual(b.edns, a.edns);
  assert.deepEqual([b.id, b.flags, b.question], [a.id, a.flags, a.question]);
});
