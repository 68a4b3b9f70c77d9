// The cache's own limits over real sockets: misses waiting on one name's upstream fetch are
// capped (the rest get SERVFAIL at once, counted), and the bytes a cache keeps are capped
// whatever the size of the answers (SIEVE evicts, counted), while other names keep being served.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Rcode } from '../../src/dns/constants.ts';
import { MAX_WAITERS_PER_KEY } from '../../src/plugins/cache/cache.ts';
import { DEFAULT_MAX_BYTES } from '../../src/plugins/cache/sieve.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { udpBurst } from '../helpers/udp-burst.ts';
import { startAgent } from './agent-harness.ts';
import { ask } from './ask.ts';
import { parseExposition, until, value } from './observe-helpers.ts';

const HOST = '127.0.0.1';

it('caps the misses waiting on one name: the rest get SERVFAIL at once, counted, and the waiters are answered', async (t) => {
  let release = (): void => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  const upstream = await startFakeUpstream(async (q) => {
    if (q.qname.toLowerCase() === 'hot.example.') await released;
    return buildResponse({ query: q.wire, answer: [rr(`${q.qname} 60 IN A 192.0.2.7`)] });
  });
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `example.:0 {\n bind ${HOST}\n cache 30\n forward . ${upstream.address} {\n  force_tcp\n }\n}\n`,
  );
  const metrics = () => parseExposition(agent.app.services.renderMetrics());
  const shed = () => value(metrics(), 'coredns_nodecache_cache_waiters_shed_total');

  // The first miss fetches, MAX_WAITERS_PER_KEY wait, the rest are shed.
  const extra = 50;
  const total = 1 + MAX_WAITERS_PER_KEY + extra;
  const rcodes = await udpBurst(t, HOST, agent.port, total, () => 'hot.example.');
  await until('the extra misses shed', () => shed() === extra, 10_000);
  const servfails = () => [...rcodes.values()].filter((c) => c === Rcode.SERVFAIL).length;
  await until('their SERVFAILs received', () => servfails() === extra);
  // While they wait, another name is answered as usual.
  assert.equal((await ask(agent.port, 'other.example.')).rcode, Rcode.NOERROR);
  release();
  await until('every query answered', () => rcodes.size === total, 10_000);
  assert.equal(servfails(), extra, 'only the queries past the cap failed');
  assert.equal(
    [...rcodes.values()].filter((c) => c === Rcode.NOERROR).length,
    1 + MAX_WAITERS_PER_KEY,
  );
  assert.ok(upstream.count({ qname: 'hot.example.' }) <= 2, 'one fetch for all the waiters');
  // The cap applies to waiters in flight only: once answered, the name is a plain hit.
  assert.equal((await ask(agent.port, 'hot.example.')).rcode, Rcode.NOERROR);
  assert.equal(shed(), extra);
});

it('caps the bytes a cache keeps: big answers evict older ones instead of growing the store', async (t) => {
  const big = 'x'.repeat(60_000);
  const upstream = await startFakeUpstream((q) =>
    buildResponse({ query: q.wire, answer: [{ name: q.qname, ttl: 300, type: 'TXT', text: big }] }),
  );
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `example.:0 {\n bind ${HOST}\n cache 300\n forward . ${upstream.address} {\n  force_tcp\n }\n}\n`,
  );
  const metrics = () => parseExposition(agent.app.services.renderMetrics());
  const fits = Math.floor(DEFAULT_MAX_BYTES / 60_000);
  const names = fits + 40;
  // Over UDP the client gets a truncated reply; the cache stores the whole upstream answer.
  for (let i = 0; i < names; i += 8) {
    const batch = Array.from({ length: Math.min(8, names - i) }, (_, j) =>
      ask(agent.port, `big${i + j}.example.`, 'TXT'),
    );
    for (const m of await Promise.all(batch)) assert.equal(m.rcode, Rcode.NOERROR);
  }
  const e = metrics();
  const bytes = value(e, 'coredns_nodecache_cache_bytes', { type: 'success' });
  const entries = value(e, 'coredns_cache_entries', { type: 'success' });
  assert.ok(bytes <= DEFAULT_MAX_BYTES, `${bytes} bytes stored`);
  assert.ok(bytes > DEFAULT_MAX_BYTES - 2 * 61_000, `${bytes} bytes stored: the cap is used`);
  assert.ok(entries <= fits && entries < names, `${entries} entries for ${names} names`);
  assert.ok(value(e, 'coredns_cache_evictions_total', { type: 'success' }) >= names - fits);
  // The newest answer is kept and served from the cache.
  const before = upstream.count();
  assert.equal((await ask(agent.port, `big${names - 1}.example.`, 'TXT')).rcode, Rcode.NOERROR);
  assert.equal(upstream.count(), before, 'a hit, not a new fetch');
});
