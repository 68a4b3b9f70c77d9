import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Handler, Request, ResponseWriter } from '../../../../src/chain/handler.ts';
import { PluginError } from '../../../../src/chain/handler.ts';
import { buildQuery } from '../../../../src/dns/build.ts';
import { nameToWire } from '../../../../src/dns/name.ts';
import { scanQuery } from '../../../../src/dns/query.ts';
import { LoopHandler, probeName } from '../../../../src/plugins/loop/loop.ts';
import { parseLoop } from '../../../../src/plugins/loop/setup.ts';
import { memoryLogger } from '../../../../src/util/log.ts';
import { errorOf, parseLine } from '../setup-table.ts';

it('parses loop with no arguments', () => {
  assert.deepEqual(parseLine('loop', parseLoop), {});
  assert.match(errorOf('loop 1', parseLoop), /ERR_COREFILE_ARGS/);
});

it('makes probe names <n1>.<n2>.<zone>', () => {
  assert.match(probeName('cluster.local.'), /^\d+\.\d+\.cluster\.local\.$/);
  assert.match(probeName('.'), /^\d+\.\d+\.$/);
});

const req = (name: string, type: number): Request => ({
  query: scanQuery(buildQuery(1, nameToWire(name), type)),
  transport: 'udp',
  remoteAddress: '127.0.0.1',
  remotePort: 4000,
  family: 1,
  server: 'dns://127.0.0.1:53',
  zone: '.',
  receivedAt: 0,
  sizeLimit: 512,
});
const w: ResponseWriter = { written: false, rcode: -1, size: 0, reply: undefined, write() {} };

it('detects the third sighting of its probe, then answers SERVFAIL and reports not ready', () => {
  let passed = 0;
  const next: Handler = { name: 'next', serveDNS: () => ++passed && 0 };
  const log = memoryLogger();
  const h = new LoopHandler(next, '.', log, '1.2.');
  assert.equal(h.ready(), false, 'not ready while the probe is out');
  void h.serveDNS(req('1.2.', 13), w);
  void h.serveDNS(req('1.2.', 1), w); // other types pass
  void h.serveDNS(req('1.2.', 13), w);
  assert.equal(h.detected, false);
  assert.throws(
    () => h.serveDNS(req('1.2.', 13), w),
    (e: unknown) => e instanceof PluginError && e.rcode === 2,
  );
  assert.equal(h.detected, true);
  assert.equal(h.ready(), false);
  assert.throws(() => h.serveDNS(req('other.', 1), w), PluginError);
  assert.equal(passed, 3);
  assert.match(
    log.lines.join('\n'),
    /Loop \(127\.0\.0\.1:4000 -> dns:\/\/127\.0\.0\.1:53\) detected for zone "\."/,
  );
});
