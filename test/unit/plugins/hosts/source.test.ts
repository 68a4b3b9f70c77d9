// The reload check of a hosts file, triggered by hand instead of by the interval timer.

import assert from 'node:assert/strict';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { HostsSource } from '../../../../src/plugins/hosts/source.ts';
import { memoryLogger } from '../../../../src/util/log.ts';

const config = (path: string) => ({
  path,
  zones: ['.'],
  ttl: 3600,
  reverse: true,
  reloadMs: 0,
  fallthrough: undefined,
  inline: ['10.9.9.9 inline.test'],
});

it('re-reads a changed file on check, keeps entries when it goes away', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nld-hosts-src-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'hosts');
  const log = memoryLogger();
  const source = new HostsSource(config(file), log);
  source.loadNow();
  assert.match(log.lines.join('\n'), /\[WARNING\] File does not exist: /);
  assert.deepEqual([...source.table.v4.keys()], ['inline.test.']);
  assert.equal(await source.check(), false, 'still missing');

  await writeFile(file, '10.0.0.1 a.test\n');
  assert.equal(await source.check(), true);
  assert.deepEqual(
    [...source.table.v4.keys()],
    ['a.test.', 'inline.test.'],
    'file first, inline after',
  );
  assert.ok(source.reloadedAt > 0);
  assert.equal(await source.check(), false, 'unchanged: not read again');

  await writeFile(file, '10.0.0.2 b.test\n10.0.0.3 c.test\n');
  assert.equal(await source.check(), true);
  assert.deepEqual([...source.table.v4.keys()].sort(), ['b.test.', 'c.test.', 'inline.test.']);

  await unlink(file);
  assert.equal(await source.check(), false);
  assert.ok(source.table.v4.has('b.test.'), 'the last entries stay served');
});
