// `workers: 2`: a worker thread serves beside the main thread on the same addresses. Queries
// from many source ports reach both; one scrape sums both threads' counters; a reload switches
// every thread before it resolves; a killed worker is started again and no counter goes back.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { type App, startApp } from '../../src/app.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { REPO_ROOT } from '../helpers/fixtures.ts';
import { CLUSTER_ZONE, startKnot, ZONE_DATA } from '../helpers/knot.ts';
import { answers, ask } from './ask.ts';
import { httpPort, parseExposition, scrape, until, value } from './observe-helpers.ts';

const REQUESTS = 'coredns_dns_requests_total';
/** Queries per check: each comes from a new socket, so a new source port the kernel hashes. */
const QUERIES = 40;

function hostsBlock(address: string): string {
  return `example.test:0 {\n bind 127.0.0.1\n hosts {\n  ${address} a.example.test\n }\n prometheus 127.0.0.1:0\n}\n`;
}

async function start(t: TestContext, corefile: string): Promise<{ app: App; dns: number }> {
  const app = await startApp({
    corefileText: corefile,
    log: memoryLogger(),
    drainMs: 500,
    workers: 2,
    workerRestartMs: 50,
    workerLog: { format: 'text', level: 'error', timestamps: false },
  });
  t.after(() => app.stop());
  await app.serving;
  const dns = app.listeners()[0]?.port;
  if (dns === undefined) throw new Error('no listener');
  return { app, dns };
}

/** The local (main-thread-only) count of a family, summed over its series. */
function localCount(app: App, name: string): number {
  return value(parseExposition(app.services.renderMetrics()), name);
}

describe('workers', () => {
  it('serves from both threads and sums their counters in one scrape', async (t) => {
    const { app, dns } = await start(t, hostsBlock('10.0.0.1'));
    const http = httpPort(app, '127.0.0.1:0');
    const before = value(await scrape(http), REQUESTS);
    const localBefore = localCount(app, REQUESTS);
    for (let i = 0; i < QUERIES; i++)
      assert.deepEqual(answers(await ask(dns, 'a.example.test')), ['10.0.0.1']);
    const after = await scrape(http);
    assert.equal(value(after, REQUESTS) - before, QUERIES, 'every query counted once');
    const local = localCount(app, REQUESTS) - localBefore;
    assert.ok(local > 0 && local < QUERIES, `main thread answered ${local} of ${QUERIES}`);
    assert.equal(value(after, 'nodelocaldns_workers'), 2);
    assert.equal(value(after, 'coredns_build_info'), 1, 'process-wide families once');
    const hostsEntries = localCount(app, 'coredns_hosts_entries');
    assert.ok(hostsEntries > 0);
    assert.equal(value(after, 'coredns_hosts_entries'), hostsEntries, 'copies are not summed');
  });

  it('switches every thread to a reloaded Corefile before the reload resolves', async (t) => {
    const { app, dns } = await start(t, hostsBlock('10.0.0.1'));
    await app.reload(hostsBlock('10.0.0.2'));
    for (let i = 0; i < QUERIES; i++)
      assert.deepEqual(answers(await ask(dns, 'a.example.test')), ['10.0.0.2']);
  });

  it('starts a killed worker again while the main thread serves, and keeps its counts', async (t) => {
    const { app, dns } = await start(t, hostsBlock('10.0.0.1'));
    const http = httpPort(app, '127.0.0.1:0');
    for (let i = 0; i < QUERIES; i++) await ask(dns, 'a.example.test');
    const before = value(await scrape(http), REQUESTS);
    await app.workerPool?.kill(1);
    await until('the worker serves again', async () => {
      const e = await scrape(http);
      return (
        value(e, 'nodelocaldns_worker_restarts_total') === 1 &&
        value(e, 'nodelocaldns_workers_serving') === 2
      );
    });
    assert.ok(value(await scrape(http), REQUESTS) >= before, 'counters never go back');
    assert.equal(await app.selfCheck(1000), true);
    for (let i = 0; i < QUERIES; i++)
      assert.deepEqual(answers(await ask(dns, 'a.example.test')), ['10.0.0.1']);
  });

  it('shares the cache: one upstream query per name however the kernel spreads the clients', async (t) => {
    const knot = await startKnot({ zones: { 'cluster.local': CLUSTER_ZONE } });
    t.after(() => knot.stop());
    const { dns } = await start(
      t,
      `cluster.local:0 {\n bind 127.0.0.1\n cache 30\n forward . 127.0.0.1:${knot.port} {\n  force_tcp\n }\n}\n`,
    );
    const names = [ZONE_DATA.kubeDns, ZONE_DATA.nxdomain, 'a.cluster.local', 'b.cluster.local'];
    const upstreamBefore = await knot.queryCount();
    for (let i = 0; i < QUERIES; i++) await ask(dns, names[i % names.length] ?? '');
    assert.equal(
      (await knot.queryCount()) - upstreamBefore,
      names.length,
      'one upstream query per name, not one per thread',
    );
    // Concurrent first queries for one name from many sockets: still one upstream query.
    const replies = await Promise.all(
      Array.from({ length: QUERIES }, () =>
        ask(dns, 'kube-dns.kube-system.svc.cluster.local', 'AAAA'),
      ),
    );
    for (const r of replies) assert.deepEqual(answers(r), [ZONE_DATA.kubeDnsV6]);
    assert.equal((await knot.queryCount()) - upstreamBefore, names.length + 1);
  });

  it("keeps both threads' log lines whole on one stdout", async () => {
    const queries = 600;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['test/fixtures/workers-log.ts', String(queries)],
      { cwd: REPO_ROOT, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const lines = stdout.trimEnd().split('\n');
    const queryLines = lines
      .map((line) => JSON.parse(line) as { msg: string })
      .filter((record) => / "A IN n\d+\.example\.test\. udp /.test(record.msg));
    assert.equal(queryLines.length, queries, 'one whole JSON line per query');
  });
});
