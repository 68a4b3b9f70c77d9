// Disk full for the cache snapshot (`cache { persist FILE }`), on a small tmpfs mounted for the
// test (root only: scripts/test-selection.ts). A snapshot that cannot be written is logged and
// counted, leaves no partial file behind and keeps the last complete one; the agent keeps serving
// through the failed write of a reload, and its stop still completes.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startApp } from '../../src/app.ts';
import { Rcode } from '../../src/dns/constants.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { ask } from './ask.ts';
import { parseExposition, until, value } from './observe-helpers.ts';

const FAILURES = 'coredns_nodecache_cache_snapshot_failures_total';

/** Appends 4 KiB blocks until the filesystem says ENOSPC. */
function fillUp(path: string): void {
  const block = Buffer.alloc(4096, 0x61);
  for (let i = 0; i < 100_000; i++) {
    try {
      appendFileSync(path, block);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw e;
    }
  }
  throw new Error('the filesystem never filled up');
}

it('a full disk fails the snapshot write cleanly: counted, logged, the agent keeps serving', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nld-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
  t.after(async () => {
    execFileSync('umount', [dir]);
    await rm(dir, { recursive: true, force: true });
  });
  const upstream = await startFakeUpstream((q) =>
    buildResponse({ query: q.wire, answer: [rr(`${q.qname} 300 IN A 192.0.2.9`)] }),
  );
  t.after(() => upstream.stop());
  const snap = join(dir, 'cluster.snap');
  const corefile = (success: number): string =>
    `cluster.local:0 {\n bind 127.0.0.1\n cache 300 {\n  success ${success}\n  persist ${snap}\n }\n forward . ${upstream.address}\n}\n`;
  const names = Array.from({ length: 40 }, (_, i) => `n${i}.default.svc.cluster.local.`);

  // A first agent writes a complete snapshot while there is room.
  const first = await startApp({ corefileText: corefile(1000), log: memoryLogger() });
  await first.serving;
  for (const n of names) await ask(first.listeners()[0]?.port ?? 0, n);
  await first.stop();
  const good = readFileSync(snap);

  fillUp(join(dir, 'filler'));
  const log = memoryLogger();
  const app = await startApp({ corefileText: corefile(1000), log });
  let stopped = false;
  t.after(() => (stopped ? undefined : app.stop()));
  await app.serving;
  const port = app.listeners()[0]?.port ?? 0;
  assert.equal((await ask(port, 'late.default.svc.cluster.local.')).rcode, Rcode.NOERROR);
  const failures = () => value(parseExposition(app.services.renderMetrics()), FAILURES);
  assert.equal(failures(), 0);

  // A reload that changes the cache config retires the store, which writes its snapshot: ENOSPC.
  await app.reload(corefile(2000));
  await until('the failed write counted', () => failures() === 1);
  assert.ok(
    log.lines.some((l) => /could not write the cache snapshot .*ENOSPC/.test(l)),
    log.lines.join('\n'),
  );
  assert.equal(existsSync(`${snap}.tmp`), false, 'no partial file left holding the space');
  assert.ok(readFileSync(snap).equals(good), 'the last complete snapshot is kept');
  // Still serving: the new store loaded the old snapshot, misses go upstream.
  const before = upstream.count();
  assert.equal((await ask(port, names[0] ?? '')).rcode, Rcode.NOERROR);
  assert.equal(upstream.count(), before, 'a cached name is answered from the loaded snapshot');
  assert.equal((await ask(port, 'new.default.svc.cluster.local.')).rcode, Rcode.NOERROR);

  // Stopping on a full disk completes too, with the same error logged.
  await app.stop();
  stopped = true;
  assert.equal(log.lines.filter((l) => /could not write the cache snapshot/.test(l)).length, 2);
  assert.ok(readFileSync(snap).equals(good));

  // With room again, the next start loads the last complete snapshot.
  await rm(join(dir, 'filler'));
  const log3 = memoryLogger();
  const third = await startApp({ corefileText: corefile(1000), log: log3 });
  t.after(() => third.stop());
  await third.serving;
  assert.ok(
    log3.lines.some((l) => new RegExp(`loaded ${names.length} entries`).test(l)),
    log3.lines.join('\n'),
  );
});
