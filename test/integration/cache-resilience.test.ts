// What the cache does for a node when kube-dns goes away, and across a restart.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it, type TestContext } from 'node:test';
import { startApp } from '../../src/app.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { ManualClock } from '../helpers/clock.ts';
import { dig } from '../helpers/dig.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';
import { until } from './observe-helpers.ts';

it('keeps answering cached names with serve_stale while the upstream is down, and fails uncached ones in bounded time', async (t) => {
  const upstream = await startFakeUpstream((q) =>
    buildResponse({
      query: q.wire,
      ownerCase: 'query',
      answer: [rr(`${q.qname} 30 IN A 10.96.0.10`)],
    }),
  );
  let stopped = false;
  t.after(() => (stopped ? undefined : upstream.stop()));
  const clock = new ManualClock();
  const agent = await startAgent(
    t,
    `cluster.local:0 {\n bind 127.0.0.1\n cache {\n success 9984 1 0\n serve_stale 1h\n }\n forward . ${upstream.address} {\n force_tcp\n }\n}\n`,
    { clock },
  );
  const ask = (name: string) =>
    dig(['@127.0.0.1', '-p', String(agent.port), name], { timeoutMs: 15_000 });
  assert.equal((await ask('kube-dns.kube-system.svc.cluster.local')).answer[0]?.ttl, 1);
  await upstream.stop();
  stopped = true;
  clock.advance(5000); // the 1 s TTL is long past: only serve_stale can answer
  const stale = await ask('kube-dns.kube-system.svc.cluster.local');
  assert.equal(stale.status, 'NOERROR');
  assert.equal(stale.answer[0]?.data, '10.96.0.10');
  assert.equal(stale.answer[0]?.ttl, 0);
  const started = performance.now();
  const uncached = await ask('web.default.svc.cluster.local');
  assert.equal(uncached.status, 'SERVFAIL');
  // Bounded: forward's 5 s window, with room for a loaded machine (dig would wait 15 s).
  const ms = performance.now() - started;
  assert.ok(ms < 12_000, `SERVFAIL took ${ms} ms`);
});

/** An upstream answering every name with 10.96.0.10, and a Corefile caching it with `persist`. */
async function persistedCache(t: TestContext, tag: string) {
  const dir = await mkdtemp(join(tmpdir(), `nld-${tag}-`));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const upstream = await startFakeUpstream((q) =>
    buildResponse({
      query: q.wire,
      ownerCase: 'query',
      answer: [rr(`${q.qname} 300 IN A 10.96.0.10`)],
    }),
  );
  t.after(() => upstream.stop());
  const corefile = `cluster.local:0 {\n bind 127.0.0.1\n cache 300 {\n persist ${join(dir, 'cluster.snap')}\n }\n forward . ${upstream.address}\n}\n`;
  return { upstream, corefile };
}

it('restarts warm from its snapshot without asking the upstream again', async (t) => {
  const { upstream, corefile } = await persistedCache(t, 'warm');
  const names = [
    'a.default.svc.cluster.local',
    'b.default.svc.cluster.local',
    'c.default.svc.cluster.local',
  ];
  const clock = new ManualClock();
  const first = await startApp({ corefileText: corefile, log: memoryLogger(), clock });
  await first.serving;
  const port1 = first.listeners()[0]?.port ?? 0;
  for (const name of names) await dig(['@127.0.0.1', '-p', String(port1), name]);
  assert.equal(upstream.count(), names.length);
  await first.stop();

  clock.advance(60_000); // a minute between the two agents
  const log = memoryLogger();
  const second = await startApp({ corefileText: corefile, log, clock });
  t.after(() => second.stop());
  await second.serving;
  const port2 = second.listeners()[0]?.port ?? 0;
  for (const name of names) {
    const r = await dig(['@127.0.0.1', '-p', String(port2), name]);
    assert.equal(r.answer[0]?.data, '10.96.0.10');
    assert.equal(r.answer[0]?.ttl, 240, 'TTL reduced by the time that passed');
  }
  assert.equal(upstream.count(), names.length, 'no upstream traffic after the warm restart');
  assert.ok(
    log.lines.some((l) => /loaded 3 entries .*snapshot 60s old/.test(l)),
    log.lines.join('\n'),
  );
});

it('hands the cache over in a rolling upgrade: the new agent merges the snapshot the old one writes as it stops', async (t) => {
  const { upstream, corefile } = await persistedCache(t, 'handover');
  const old = await startApp({ corefileText: corefile, log: memoryLogger() });
  await old.serving;
  const oldPort = old.listeners()[0]?.port ?? 0;
  const log = memoryLogger();
  const next = await startApp({ corefileText: corefile, log }); // beside the old one
  t.after(() => next.stop());
  await next.serving;
  const port = next.listeners()[0]?.port ?? 0;
  // the old agent caches a name the new one has never seen, then stops and writes its snapshot
  await dig(['@127.0.0.1', '-p', String(oldPort), 'old.default.svc.cluster.local']);
  await old.stop();
  // kube-dns goes away: only the handed-over entry can answer now
  await upstream.stop();
  const answer = async (): Promise<string | undefined> =>
    (
      await dig([
        '@127.0.0.1',
        '-p',
        String(port),
        'old.default.svc.cluster.local',
        '+tries=1',
        '+time=1',
      ])
    ).answer[0]?.data;
  await until(
    "the old agent's entry answered by the new one",
    async () => (await answer()) === '10.96.0.10',
    10_000,
  );
  assert.ok(log.lines.some((l) => /merged 1 entries handed over/.test(l)));
});

it('keeps cache entries across a reload that leaves the cache config unchanged', async (t) => {
  const upstream = await startFakeUpstream((q) =>
    buildResponse({
      query: q.wire,
      ownerCase: 'query',
      answer: [rr(`${q.qname} 300 IN A 10.96.0.10`)],
    }),
  );
  t.after(() => upstream.stop());
  const corefile = (extra: string) =>
    `cluster.local:0 {\n bind 127.0.0.1\n ${extra}\n cache 300\n forward . ${upstream.address}\n}\n`;
  const agent = await startAgent(t, corefile(''));
  await dig(['@127.0.0.1', '-p', String(agent.port), 'a.default.svc.cluster.local']);
  await agent.app.reload(corefile('errors'));
  assert.equal(agent.app.listeners()[0]?.port, agent.port, 'listener kept');
  await dig(['@127.0.0.1', '-p', String(agent.port), 'a.default.svc.cluster.local']);
  assert.equal(upstream.count(), 1);
});
