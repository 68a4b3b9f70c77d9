// ChildSupervisor with the stand-in child on loopback: events, restart with backoff, liveness
// kill of a hung child, reload confirmation, and a stop that does not count as "down".

import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ChildSupervisor, type SupervisorOptions } from '../../../src/node/supervisor.ts';
import { memoryLogger } from '../../../src/util/log.ts';

const STAND_IN = fileURLToPath(new URL('../../netns/fixtures/stand-in-child.ts', import.meta.url));

interface Recorder {
  readonly events: string[];
  next(kind: 'serving' | 'down', timeoutMs?: number): Promise<string>;
}

function start(
  t: TestContext,
  env: Record<string, string>,
  extra: Partial<SupervisorOptions> = {},
): { sup: ChildSupervisor; rec: Recorder; log: ReturnType<typeof memoryLogger> } {
  const log = memoryLogger();
  const sup = new ChildSupervisor({
    entry: STAND_IN,
    args: [],
    env: { ...process.env, NLD_STANDIN_ADDRS: '127.0.0.1', NLD_STANDIN_PORT: '0', ...env },
    restartDelayMs: 50,
    livenessIntervalMs: 200,
    log,
    ...extra,
  });
  const events: string[] = [];
  const waiters: Array<{ kind: string; resolve: (e: string) => void }> = [];
  const push = (e: string): void => {
    events.push(e);
    const i = waiters.findIndex((w) => e.startsWith(w.kind));
    if (i >= 0) waiters.splice(i, 1)[0]?.resolve(e);
  };
  sup.start({ onServing: () => push('serving'), onDown: (reason) => push(`down: ${reason}`) });
  t.after(() => sup.stop());
  const seen = new Map<string, number>();
  const rec: Recorder = {
    events,
    next: (kind, timeoutMs = 20_000) => {
      const already = events.filter((e) => e.startsWith(kind));
      const used = seen.get(kind) ?? 0;
      seen.set(kind, used + 1);
      if (already.length > used) return Promise.resolve(already[used] ?? '');
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no ${kind} within ${timeoutMs} ms; events: ${events.join(', ')}\n${log.lines.join('\n')}`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({
          kind,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
  };
  return { sup, rec, log };
}

describe('child supervisor', () => {
  it('reports serving, reports down at once on SIGKILL, restarts and serves again', async (t) => {
    const { sup, rec } = start(t, {});
    await rec.next('serving');
    const pid = sup.pid ?? assert.fail('no child');
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    assert.equal(await rec.next('down'), 'down: killed by SIGKILL');
    const downMs = Date.now() - killedAt;
    assert.ok(downMs < 1000, `down reported after ${downMs} ms`);
    await rec.next('serving');
    assert.notEqual(sup.pid, pid);
    await sup.reload(); // the child confirms over IPC
  });

  it('kills and restarts a child that stops answering its liveness probes', async (t) => {
    const { rec } = start(t, { NLD_STANDIN_WEDGED: '1' }, { livenessFailures: 3 });
    await rec.next('serving');
    assert.match(await rec.next('down'), /^down: liveness: no reply to liveness ping/);
    await rec.next('serving'); // restarted (and wedged again, which is fine here)
  });

  it('a requested stop is not reported as down and does not restart', async (t) => {
    const { sup, rec } = start(t, {});
    await rec.next('serving');
    await sup.stop();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(rec.events, ['serving']);
    assert.equal(sup.pid, undefined);
  });
  it('with -standby, a loaded idle child takes over at once when the serving one dies', async (t) => {
    const { sup, rec, log } = start(t, {}, { standby: true });
    await rec.next('serving');
    const first = sup.pid ?? assert.fail('no child');
    for (let i = 0; i < 400 && !log.lines.some((l) => /standby child pid \d+ ready/.test(l)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(first, 'SIGKILL');
    const killedAt = Date.now();
    await rec.next('down');
    await rec.next('serving');
    const takeoverMs = Date.now() - killedAt;
    t.diagnostic(`standby served ${takeoverMs} ms after SIGKILL of the active child`);
    assert.ok(takeoverMs < 1000, `takeover took ${takeoverMs} ms`);
    assert.notEqual(sup.pid, first);
    // a new spare is started behind it, and stop() ends both
    await sup.stop();
  });
});
