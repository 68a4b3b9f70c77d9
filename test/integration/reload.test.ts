// reload: the poller notices a Corefile change and swaps the config while queries keep flowing;
// none is lost, listeners stay bound, and a broken file keeps the old config and is counted.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startApp } from '../../src/app.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { query } from '../helpers/client.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort } from '../helpers/ports.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { httpPort, scrape, until, value } from './observe-helpers.ts';

it('loses no query while the poller swaps configs, and keeps the old one on a broken file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nld-reload-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const upstream = await startFakeUpstream((q) =>
    buildResponse({ query: q.wire, answer: [rr(`${q.qname} 30 IN A 10.0.0.8`)] }),
  );
  t.after(() => upstream.stop());
  const port = await freePort();
  const metrics = '127.0.0.1:0';
  const corefile = (extra: string) =>
    `.:${port} {\n bind 127.0.0.1\n reload 2s 1s\n prometheus ${metrics}\n forward . ${upstream.address}\n${extra}}\n`;
  const path = join(dir, 'Corefile');
  await writeFile(path, corefile(''));
  const log = memoryLogger();
  const app = await startApp({ corefilePath: path, log, drainMs: 500 });
  t.after(() => app.stop());
  await app.serving;
  const httpBefore = httpPort(app, metrics);
  assert.ok(
    log.lines.some((l) => /plugin\/reload: Running configuration SHA512 = [0-9a-f]{128}$/.test(l)),
  );

  // Queries throughout: 8 in flight at a time, bounded in count and time.
  let sent = 0;
  let answered = 0;
  const failures: string[] = [];
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop && sent < 20_000) {
      sent++;
      try {
        await query({
          host: '127.0.0.1',
          port,
          proto: sent % 5 === 0 ? 'tcp' : 'udp',
          name: `n${sent % 50}.example.com`,
          timeoutMs: 5000, // a lost query shows either way; a slow one on a loaded machine is not lost
        });
        answered++;
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const workers = Array.from({ length: 8 }, worker);

  // The poller checks every 2-3 s; the swaps are seen on /metrics (the listener is kept).
  const metricValue = async (name: string, where: Record<string, string> = {}) =>
    value(await scrape(httpBefore), name, where);
  await writeFile(path, corefile(' log\n'));
  await until(
    'reload',
    async () => (await metricValue('coredns_plugin_enabled', { name: 'log' })) === 1,
  );
  assert.equal(
    log.lines.filter((l) => l.includes('Running configuration SHA512')).length,
    2,
    'the new config logged as CoreDNS does',
  );
  await writeFile(path, corefile(' bogus_directive\n'));
  await until(
    'failed reload',
    async () => (await metricValue('coredns_reload_failed_total')) === 1,
  );
  assert.ok(log.lines.some((l) => l.includes('Corefile changed but reload failed')));
  stop = true;
  await Promise.all(workers);

  assert.deepEqual(failures, []);
  assert.equal(answered, sent);
  assert.ok(answered > 100, `only ${answered} queries`);
  assert.equal(app.listeners()[0]?.port, port, 'DNS listener kept');
  assert.equal(httpPort(app, metrics), httpBefore, 'metrics listener not rebound');
  const e = await scrape(httpBefore);
  assert.equal(value(e, 'coredns_reload_failed_total'), 1);
  assert.equal(e.samples.filter((s) => s.name === 'coredns_reload_version_info').length, 1);
  assert.equal(value(e, 'coredns_plugin_enabled', { name: 'log' }), 1, 'the good change is live');
  // Still serving on the last good config.
  assert.ok(
    (await query({ host: '127.0.0.1', port, proto: 'udp', name: 'after.example.com' })).length > 0,
  );
});
