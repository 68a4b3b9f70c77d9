// The agent stopped while its TCP upstream resets connections and leaves half frames behind
// (the mix a soak draft suspected of leaving handles open and spinning): once App.stop()
// resolves, the process must have nothing left (its event loop empties and it exits by itself)
// and must not burn CPU getting there. Real sockets on loopback; the App in a child process,
// so the test's own client sockets do not count.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { query, tcpSession } from '../helpers/client.ts';
import { REPO_ROOT } from '../helpers/fixtures.ts';
import { until } from '../helpers/wait.ts';
import { startFaultUpstream } from './fault-upstream.ts';

const CHILD = fileURLToPath(new URL('./stop-child.ts', import.meta.url));
/** After stop, the longest anything may linger: a health probe's read timeout (1 s) plus slack. */
const EMPTY_WITHIN_MS = 4000;
/** CPU the child may use between stop and exit (an idle exit costs a few ms; a spin, all of it). */
const CPU_BUDGET_US = 300_000;

it('stopping during TCP resets and half frames leaves no handle open and does not spin', {
  timeout: 60_000,
}, async (t) => {
  const upstream = await startFaultUpstream(7);
  t.after(() => upstream.stop());
  const child = spawn(process.execPath, [CHILD, upstream.address], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    out += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    err += s;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  t.after(() => child.kill('SIGKILL'));
  await until(
    () => `the child's port\n${err}`,
    () => /PORT \d+/.test(out),
    20_000,
  );
  const port = Number(/PORT (\d+)/.exec(out)?.[1]);

  // Pipelined TCP clients and UDP clients, all forwarded over the pooled upstream connections,
  // while the upstream alternates between resets (some after half a frame) and truncated frames.
  let sending = true;
  let seq = 0;
  const udpLoop = async (): Promise<void> => {
    while (sending)
      await Promise.all(
        Array.from({ length: 10 }, () =>
          query({
            host: '127.0.0.1',
            port,
            proto: 'udp',
            name: `u${seq++}.test.`,
            timeoutMs: 6000,
          }).catch(() => {}),
        ),
      );
  };
  const tcpLoop = async (): Promise<void> => {
    while (sending) {
      const session = await tcpSession('127.0.0.1', port, { timeoutMs: 6000 }).catch(
        () => undefined,
      );
      if (session === undefined) break;
      await session
        .pipeline(Array.from({ length: 30 }, () => ({ name: `t${seq++}.test.` })))
        .catch(() => {});
      session.close();
    }
  };
  const loops = [udpLoop(), udpLoop(), tcpLoop(), tcpLoop()];
  // Last a slow phase: at stop, pooled connections are open with answers still due.
  for (const mode of [
    'resets',
    'truncated-frames',
    'resets',
    'truncated-frames',
    'slow',
  ] as const) {
    await upstream.setMode(mode);
    const before = upstream.seen[mode] ?? 0;
    // Each phase lasts until the upstream has seen a few dozen more queries.
    await until(
      `the upstream to see 40 more ${mode} queries`,
      () => (upstream.seen[mode] ?? 0) >= before + 40,
      10_000,
    );
  }

  child.stdin.write('stop\n'); // queries are in flight upstream at this moment
  await until(
    () => `App.stop()\n${err}`,
    () => out.includes('STOPPED'),
    10_000,
  );
  sending = false;
  const code = await Promise.race([
    exited,
    new Promise<'alive'>((r) => setTimeout(() => r('alive'), EMPTY_WITHIN_MS).unref()),
  ]);
  await Promise.all(loops);
  assert.equal(
    code,
    0,
    `the stopped App kept the process alive for ${EMPTY_WITHIN_MS} ms\n${out}\n${err}`,
  );
  const [, ms, cpuUs] = /EMPTY (\d+) (\d+)/.exec(out) ?? [];
  assert.ok(Number(ms) <= EMPTY_WITHIN_MS, `loop emptied ${ms} ms after stop`);
  assert.ok(Number(cpuUs) <= CPU_BUDGET_US, `${cpuUs} µs of CPU between stop and exit`);
  assert.ok((upstream.seen['resets'] ?? 0) > 0 && (upstream.seen['truncated-frames'] ?? 0) > 0);
});
