import assert from 'node:assert/strict';
import { it } from 'node:test';
import { buildQuery } from '../../../../src/dns/build.ts';
import { nameToWire } from '../../../../src/dns/name.ts';
import { roundRobin } from '../../../../src/plugins/loadbalance/round-robin.ts';
import { inspect } from '../../../helpers/inspect.ts';
import { buildResponse, rr } from '../../../helpers/rr.ts';

const query = buildQuery(1, nameToWire('www.test.'), 15);

it('orders CNAME, other records, shuffled addresses, shuffled MX (per section)', () => {
  const wire = buildResponse({
    query,
    compress: true,
    answer: [
      rr('www.test. 30 IN MX 10 a.test.'),
      rr('www.test. 30 IN A 10.0.0.1'),
      rr('www.test. 30 IN TXT "t"'),
      rr('www.test. 30 IN A 10.0.0.2'),
      rr('www.test. 30 IN CNAME x.test.'),
      rr('www.test. 30 IN MX 20 b.test.'),
    ],
  });
  // A "random" that always picks 0: Fisher-Yates then rotates each group by one.
  const out = inspect(roundRobin(wire, () => 0)).answer.map((r) => `${r.type} ${r.data}`);
  assert.deepEqual(out, [
    'CNAME x.test.',
    'TXT "t"',
    'A 10.0.0.2',
    'A 10.0.0.1',
    'MX 20 b.test.',
    'MX 10 a.test.',
  ]);
});

it('passes replies it must not or need not shuffle unchanged', () => {
  const one = buildResponse({
    query,
    answer: [rr('www.test. 30 IN A 10.0.0.1'), rr('www.test. 30 IN MX 1 a.')],
  });
  assert.equal(
    roundRobin(one, () => 0),
    one,
  );
  const nx = buildResponse({ query, rcode: 3 });
  assert.equal(
    roundRobin(nx, () => 0),
    nx,
  );
  const garbage = Buffer.from([1, 2, 3]);
  assert.equal(roundRobin(garbage), garbage);
});
