import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseCorefile } from '../../../../src/corefile/parse.ts';
import { corefileHash } from '../../../../src/plugins/reload/hash.ts';
import { ReloadPoller } from '../../../../src/plugins/reload/poller.ts';
import { parseReload } from '../../../../src/plugins/reload/setup.ts';
import { memoryLogger } from '../../../../src/util/log.ts';
import { errorOf, parseLine } from '../setup-table.ts';

it('parses reload [INTERVAL [JITTER]] with CoreDNS limits', () => {
  assert.deepEqual(parseLine('reload', parseReload), { intervalMs: 30_000, jitterMs: 15_000 });
  assert.deepEqual(parseLine('reload 10s 2s', parseReload), { intervalMs: 10_000, jitterMs: 2000 });
  assert.deepEqual(parseLine('reload 4s 3s', parseReload), { intervalMs: 4000, jitterMs: 2000 });
  for (const bad of ['reload 1s', 'reload 3s 0.5s', 'reload 0s'])
    assert.match(errorOf(bad, parseReload), /ERR_COREFILE_VALUE/, bad);
  assert.match(errorOf('reload 1 2 3', parseReload), /ERR_COREFILE_ARGS/);
});

it('hashes the parsed Corefile, not its comments or layout', () => {
  const h = (t: string) => corefileHash(parseCorefile(t, 'Corefile').blocks);
  assert.equal(h('.:53 {\n errors\n}\n'), h('# hi\n.:53 {\n\n   errors # x\n}\n'));
  assert.notEqual(h('.:53 {\n errors\n}\n'), h('.:53 {\n errors stdout\n}\n'));
  assert.match(h('.:53 {\n}\n'), /^[0-9a-f]{128}$/);
});

it('reloads on a changed hash, once per failing content, and keeps polling', async () => {
  let text = '.:53 {\n errors\n}\n';
  let running = corefileHash(parseCorefile(text, 'C').blocks);
  let reloads = 0;
  let fail = false;
  const poller = new ReloadPoller(
    {
      read: async () => ({ text, file: 'C' }),
      reload: async () => {
        reloads++;
        if (fail) throw new Error('bind failed');
        running = corefileHash(parseCorefile(text, 'C').blocks);
      },
      runningHash: () => running,
      changed: () => {},
    },
    memoryLogger(),
  );
  poller.arm({ intervalMs: 60_000, jitterMs: 1000 });
  await poller.poll();
  assert.equal(reloads, 0);
  text = '.:53 {\n log\n}\n';
  await poller.poll();
  assert.equal(reloads, 1);
  fail = true;
  text = '.:53 {\n errors stdout\n}\n';
  await poller.poll();
  await poller.poll();
  assert.equal(reloads, 2, 'the same failing content is tried once');
  text = '.:53 {\n{{{\n';
  await poller.poll();
  await poller.poll();
  assert.equal(reloads, 3, 'an unparsable file is tried once too (and counted by the app)');
  poller.stop();
});
