// The load harness's pieces that have logic: dnsperf summary parsing, percentiles, /proc CPU
// accounting, and the bare responder (spawned for real, queried over UDP and TCP).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { nodeLocalCorefile } from '../../bench/load/corefile.ts';
import { dnsperfArgs, parseSummary, percentile } from '../../bench/load/dnsperf.ts';
import { targetsSection } from '../../bench/load/goals.ts';
import { clockTicksPerSecond, treeCpuTicks, treeUsage } from '../../bench/load/procstat.ts';
import { medianRow, type Row, renderTable } from '../../bench/load/report.ts';
import { podMix, queryFiles } from '../../bench/load/workloads.ts';
import { messageId, query } from './client.ts';
import { REPO_ROOT } from './fixtures.ts';
import { inspect } from './inspect.ts';

const SUMMARY = `Statistics:

  Queries sent:         60000
  Queries completed:    59990 (99.98%)
  Queries lost:         10 (0.02%)

  Response codes:       NOERROR 59000 (98.35%), NXDOMAIN 990 (1.65%)
  Average packet size:  request 33, response 49
  Run time (s):         3.000138
  Queries per second:   19998.747

  Average Latency (s):  0.000097 (min 0.000032, max 0.002172)
  Latency StdDev (s):   0.000052
`;

describe('bench/load helpers', () => {
  it('parses the dnsperf summary', () => {
    const s = parseSummary(SUMMARY);
    assert.ok(s);
    assert.equal(s.sent, 60000);
    assert.equal(s.completed, 59990);
    assert.equal(s.lost, 10);
    assert.equal(s.qps, 19998.747);
    assert.equal(s.runSeconds, 3.000138);
    assert.ok(Math.abs((s.avgLatencyMs ?? 0) - 0.097) < 1e-9);
    assert.deepEqual(s.rcodes, { NOERROR: 59000, NXDOMAIN: 990 });
    assert.equal(parseSummary('[Status] Testing complete'), undefined);
  });

  it('bounds every dnsperf run and pins it', () => {
    const args = dnsperfArgs({
      port: 5300,
      queryFile: 'q.txt',
      seconds: 7,
      cpu: 1,
      maxQps: 100,
      maxRuns: 1,
    });
    assert.deepEqual(args.slice(0, 3), ['-c', '1', 'dnsperf']);
    assert.equal(args[args.indexOf('-l') + 1], '7');
    assert.equal(args[args.indexOf('-Q') + 1], '100');
    assert.equal(args[args.indexOf('-s') + 1], '127.0.0.1');
  });

  it('pads markdown tables the way the formatter does', () => {
    assert.deepEqual(
      renderTable(
        ['name', 'n'],
        [false, true],
        [
          ['ab', '1'],
          ['c', '22'],
        ],
      ),
      ['| name |   n |', '| ---- | --: |', '| ab   |   1 |', '| c    |  22 |'],
    );
  });

  it('takes nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(v, 50), 50);
    assert.equal(percentile(v, 99), 99);
    assert.equal(percentile(v, 100), 100);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([], 50), undefined);
  });

  it('reads CPU ticks of a process tree, children included', async (t) => {
    assert.equal(clockTicksPerSecond() > 0, true);
    // A child that burns 150 ms of CPU time (not wall time: the machine may be busy), says so, and waits.
    const burn =
      'const s = process.cpuUsage(); while (process.cpuUsage(s).user < 150000); console.log("done"); setInterval(() => {}, 1000);';
    const child = spawn(process.execPath, ['-e', burn], { stdio: ['ignore', 'pipe', 'inherit'] });
    t.after(() => child.kill('SIGKILL'));
    await once(createInterface({ input: child.stdout }), 'line');
    const mine = treeCpuTicks(process.pid);
    const its = treeCpuTicks(child.pid ?? -1);
    assert.ok(its !== undefined && its >= 10, `child ticks ${its}`);
    assert.ok(mine !== undefined && mine >= its, 'the parent tree includes the child');
    assert.equal(treeCpuTicks(2 ** 22 + 1), undefined);
    const usage = treeUsage(process.pid);
    assert.ok(
      usage !== undefined && Number.isFinite(usage.runqueueWaitNs) && usage.runqueueWaitNs >= 0,
    );
    // the kernel's share is part of the total, never more
    assert.ok(
      usage.systemTicks >= 0 && usage.systemTicks <= usage.cpuTicks,
      `${usage.systemTicks}`,
    );
  });

  it('runs the bare responder: the canned reply with the client ID, over UDP and TCP', async (t) => {
    const child = spawn(process.execPath, ['bench/load/bare-responder.ts', '--port', '0'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(() => child.kill('SIGTERM'));
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const port = Number(/^ready (\d+)$/.exec(line)?.[1]);
    for (const proto of ['udp', 'tcp'] as const) {
      const reply = await query({
        host: '127.0.0.1',
        port,
        proto,
        name: 'whatever.test.',
        id: 4242,
      });
      assert.equal(messageId(reply), 4242);
      assert.equal(inspect(reply).answer[0]?.data, '192.0.2.1');
    }
  });

  it('asks an external name through the ndots:5 search list, A and AAAA each', () => {
    const mix = podMix(1);
    assert.deepEqual(
      mix.filter((q) => q.startsWith('api0.')),
      [
        'api0.example.test.default.svc.cluster.local A',
        'api0.example.test.default.svc.cluster.local AAAA',
        'api0.example.test.svc.cluster.local A',
        'api0.example.test.svc.cluster.local AAAA',
        'api0.example.test.cluster.local A',
        'api0.example.test.cluster.local AAAA',
        'api0.example.test A',
        'api0.example.test AAAA',
      ],
    );
    // A service of the pod's namespace answers on the first try; another namespace's on the second.
    assert.deepEqual(
      mix.filter((q) => q.startsWith('svc3.')),
      [
        'svc3.default.svc.cluster.local A',
        'svc3.default.svc.cluster.local AAAA',
        'svc3.shop.default.svc.cluster.local A',
        'svc3.shop.default.svc.cluster.local AAAA',
        'svc3.shop.svc.cluster.local A',
        'svc3.shop.svc.cluster.local AAAA',
      ],
    );
    const cold = podMix(8, 'x');
    assert.equal(new Set(cold).size, cold.length, 'a cold pass asks no question twice');
    assert.ok(cold.some((q) => q.startsWith('n0-x.bench.svc.cluster.local ')));
  });

  it('gives cold and miss rows names no other row asked', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-files-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const sizes = {
      hitNames: 3,
      missNames: 50,
      mixExternals: 2,
      coldExternals: 4,
      latencyQueries: 40,
    };
    const seen = new Set<string>();
    for (const scenario of ['miss', 'miss', 'cold'] as const) {
      const files = await queryFiles(scenario, dir, sizes);
      assert.equal(files.once, true);
      for (const file of [files.load, files.latency]) {
        for (const line of (await readFile(file, 'utf8')).trim().split('\n')) {
          assert.equal(seen.has(line), false, `${line} asked twice`);
          seen.add(line);
        }
      }
    }
    assert.ok(seen.size >= 2 * (50 + 40));
  });

  it('takes each figure as the median over the repetitions on its own', () => {
    const row = medianRow('t', 'hit', [
      { qps: 10, p99Ms: 9, rcodes: 'a' },
      { qps: 30, p99Ms: 1, rcodes: 'c' },
      { qps: 20, p99Ms: 5, rcodes: 'b' },
    ]);
    assert.equal(row.qps, 20);
    assert.equal(row.p99Ms, 5);
    assert.deepEqual(row.qpsRange, [10, 30]);
    assert.equal(row.rcodes, 'b');
    assert.equal(medianRow('t', 'hit', [{ qps: 1 }, { qps: 4 }]).qps, 2.5);
  });

  it('states each target as a ratio, met or missed, and unmeasured ones as such', () => {
    const rows: Row[] = [
      { target: 'nodelocaldns', scenario: 'hit', cpuUsPerQuery: 13, qpsPerCore: 76_000 },
      { target: 'bare-node', scenario: 'hit', cpuUsPerQuery: 10 },
      { target: 'node-cache', scenario: 'hit', unavailable: 'no anchor' },
      { target: 'nodelocaldns', scenario: 'miss', qps: 30_000 },
      { target: 'unbound', scenario: 'miss', qps: 25_000 },
    ];
    const text = targetsSection(rows, { filledMB: 90, source: 'test' }, 20_000).join('\n');
    const line = (start: string): string =>
      text.split('\n').find((l) => l.startsWith(`| ${start}`)) ?? '';
    assert.match(line('hit: server CPU'), /1\.30× \| \*\*missed\*\*/);
    assert.match(line('hit: qps per core'), /not measured/);
    assert.match(line('miss over TCP'), /1\.20× \| met/);
    assert.match(line('RSS'), /1\.50× \| \*\*missed\*\*/);
  });

  it('leaves only the plugins BENCH_COREFILE_WITHOUT names out of the Corefile', () => {
    const up = { cluster: 1001, external: 1002 };
    const saved = process.env['BENCH_COREFILE_WITHOUT'];
    try {
      delete process.env['BENCH_COREFILE_WITHOUT'];
      const shipped = nodeLocalCorefile(53, up, 9253);
      process.env['BENCH_COREFILE_WITHOUT'] = 'errors,prometheus';
      const plain = nodeLocalCorefile(53, up, 9253);
      const lines = (text: string): string[] => text.split('\n').map((l) => l.trim());
      const count = (text: string, word: string): number =>
        lines(text).filter((l) => l.split(' ')[0] === word).length;
      assert.equal(count(shipped, 'errors'), 2);
      assert.equal(count(shipped, 'prometheus'), 2);
      assert.equal(count(plain, 'errors'), 0);
      assert.equal(count(plain, 'prometheus'), 0);
      // Everything else, the cache and forward blocks included, is kept line for line.
      const kept = lines(shipped).filter((l) => !/^(errors|prometheus)\b/.test(l));
      assert.deepEqual(lines(plain), kept);
      process.env['BENCH_COREFILE_WITHOUT'] = 'cache';
      assert.throws(() => nodeLocalCorefile(53, up, 9253), /cache is not one of/);
    } finally {
      if (saved === undefined) delete process.env['BENCH_COREFILE_WITHOUT'];
      else process.env['BENCH_COREFILE_WITHOUT'] = saved;
    }
  });
});
