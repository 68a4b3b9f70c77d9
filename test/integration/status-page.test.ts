// The status page rendered by headless Chromium (Debian's `chromium`): it must show live numbers
// from /debug/top with no external assets. NLD_SCREENSHOT=<file> also saves a screenshot (the
// one in docs/observability.md was made this way).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { query } from '../helpers/client.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { freePort } from '../helpers/ports.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';
import { get, httpPort, until } from './observe-helpers.ts';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';

async function chromium(dir: string, args: string[]): Promise<string> {
  const { stdout } = await run(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${join(dir, 'profile')}`,
      '--virtual-time-budget=4000',
      ...args,
    ],
    { timeout: 20_000, maxBuffer: 4 * 1024 * 1024 },
  );
  return stdout;
}

it('renders qps, names, clients and search-path misses in headless Chromium', async (t) => {
  // Not skipped when missing: scripts/test-all.sh installs it, and a skip would hide the gap.
  assert.ok(
    (await stat(CHROMIUM).catch(() => undefined)) !== undefined,
    'chromium is not installed (scripts/test-all.sh installs it; or apt-get install chromium)',
  );
  const dir = await mkdtemp(join(tmpdir(), 'nld-status-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const upstream = await startFakeUpstream((q) =>
    q.qname.endsWith('cluster.local.') && q.qname.includes('example.com')
      ? buildResponse({ query: q.wire, rcode: 3 })
      : buildResponse({ query: q.wire, answer: [rr(`${q.qname} 30 IN A 10.0.0.9`)] }),
  );
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `cluster.local:0 {\n bind 127.0.0.1\n prometheus 127.0.0.1:0\n forward . ${upstream.address}\n}\n.:0 {\n bind 127.0.0.1\n prometheus 127.0.0.1:0\n forward . ${upstream.address}\n}\n`,
  );
  const ask = (name: string) => query({ host: '127.0.0.1', port: agent.port, proto: 'udp', name });
  const port = httpPort(agent.app, '127.0.0.1:0');
  // qps needs queries between the page's once-a-second snapshots: each round ends on a new one.
  const snapshots = async (): Promise<number> =>
    (JSON.parse((await get(port, '/debug/top')).body) as { qpsHistory: number[] }).qpsHistory
      .length;
  // A pod resolving api.example.com through its search list, plus steady service lookups.
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 120; i++) {
      await Promise.all([
        ask('api.example.com.default.svc.cluster.local'),
        ask('api.example.com.svc.cluster.local'),
        ask('api.example.com.cluster.local'),
        ask('api.example.com'),
        ask('kube-dns.kube-system.svc.cluster.local'),
        ask(`web-${i % 7}.default.svc.cluster.local`),
      ]);
    }
    const seen = await snapshots();
    await until('the next snapshot', async () => (await snapshots()) > seen);
  }
  const page = await get(port, '/');
  assert.equal(page.status, 200);
  assert.doesNotMatch(page.body, /<(script|link|img)[^>]+(src|href)=/i, 'no external assets');
  const dom = await chromium(dir, ['--dump-dom', `http://127.0.0.1:${port}/`]);
  assert.match(dom, /<div class="v" id="qps">\d+(\.\d)?<\/div>/);
  assert.doesNotMatch(dom, /id="qps">–/);
  assert.match(dom, /kube-dns\.kube-system\.svc\.cluster\.local\./);
  assert.match(dom, /127\.0\.0\.1/);
  assert.match(dom, /<td class="name">api\.example\.com\.<\/td>/, 'search-path table');
  assert.match(dom, /id="nx">\d+\.\d %/);
  assert.match(dom, /<div id="banner" hidden="">/, 'no banner while every upstream answers');
  // the node panel: version, uptime, and that this app runs without the node agent
  assert.match(dom, /<td>version<\/td><td>0\.1\.0<\/td>/);
  assert.match(dom, /<td>uptime<\/td><td>\d+ s<\/td>/);
  assert.match(dom, /<td>interception<\/td><td>standalone \(no node setup\)<\/td>/);
  assert.match(dom, /<td>config<\/td><td>[^<]*loaded \d+ s ago<\/td>/);
  const png = join(dir, 'status.png');
  await chromium(dir, [
    `--screenshot=${png}`,
    '--window-size=1280,900',
    `http://127.0.0.1:${port}/`,
  ]);
  assert.ok((await stat(png)).size > 10_000);
  const keep = process.env['NLD_SCREENSHOT'];
  if (keep !== undefined) await copyFile(png, keep);
});

it('shows a banner and the failing upstream while an upstream is down', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nld-status-down-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const healthy = await startFakeUpstream((q) =>
    buildResponse({ query: q.wire, answer: [rr(`${q.qname} 30 IN A 10.0.0.9`)] }),
  );
  t.after(() => healthy.stop());
  // Nothing listens there: queries and health checks to it fail at once (port unreachable).
  const dead = `127.0.0.1:${await freePort()}`;
  const agent = await startAgent(
    t,
    `cluster.local:0 {\n bind 127.0.0.1\n prometheus 127.0.0.1:0\n forward . ${dead}\n}\n` +
      `.:0 {\n bind 127.0.0.1\n prometheus 127.0.0.1:0\n forward . ${healthy.address}\n}\n`,
  );
  const port = httpPort(agent.app, '127.0.0.1:0');
  type Report = { upstreams: { upstreams: Array<{ to: string; failing: boolean }> } };
  const report = async (): Promise<Report> => JSON.parse((await get(port, '/debug/top')).body);
  await report(); // baseline
  await query({
    host: '127.0.0.1',
    port: agent.port,
    proto: 'udp',
    name: 'web.default.svc.cluster.local',
  });
  await until(
    'the dead upstream reported failing',
    async () => (await report()).upstreams.upstreams.some((u) => u.to === dead && u.failing),
    10_000,
  );
  const healthyState = (await report()).upstreams.upstreams.find((u) => u.to === healthy.address);
  assert.equal(healthyState?.failing, false, 'the healthy upstream is not marked');
  const dom = await chromium(dir, ['--dump-dom', `http://127.0.0.1:${port}/`]);
  // "health checks failing" or, once a query found no healthy upstream, "every upstream ... down"
  assert.match(
    dom,
    new RegExp(
      `<div id="banner">(Upstream health checks failing|Every upstream of a forward block is down): ${dead}</div>`,
    ),
  );
  assert.match(dom, new RegExp(`<td>${dead}</td><td class="state bad">failing</td>`));
  assert.match(dom, new RegExp(`<td>${healthy.address}</td><td class="state">ok</td>`));
});
