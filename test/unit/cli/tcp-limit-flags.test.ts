// The -tcp-* flags: defaults are the built-in limits, values are validated before use, and the
// parsed limits reach the DNS server the agent runs (one client capped at one connection).

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseFlags, UsageError } from '../../../src/cli/flags.ts';
import { FLAG_SPECS } from '../../../src/cli/node-cache-flags.ts';
import { toCliAction } from '../../../src/cli/options.ts';
import { InProcessServer } from '../../../src/node/in-process.ts';
import type { AgentOptions } from '../../../src/node/types.ts';
import { DEFAULT_TCP_LIMITS } from '../../../src/server/tcp-limits.ts';
import { memoryLogger } from '../../../src/util/log.ts';
import { tcpSession } from '../../helpers/client.ts';
import { freePort } from '../../helpers/ports.ts';

function options(extra: string[]): AgentOptions {
  const action = toCliAction(parseFlags(['-localip', '169.254.20.10', ...extra], FLAG_SPECS));
  assert.equal(action.kind, 'run');
  return action.options;
}

const rejects = (extra: string[], re: RegExp): void => {
  assert.throws(
    () => options(extra),
    (e: unknown) => e instanceof UsageError && e.code === 'ERR_FLAG_VALUE' && re.test(e.message),
  );
};

describe('-tcp-* flags', () => {
  it('default to the built-in limits', () => {
    assert.deepEqual(options([]).tcpLimits, {
      maxConnections: DEFAULT_TCP_LIMITS.maxConnections,
      maxConnectionsPerClient: DEFAULT_TCP_LIMITS.maxConnectionsPerClient,
      idleTimeoutMs: DEFAULT_TCP_LIMITS.idleTimeoutMs,
      readTimeoutMs: DEFAULT_TCP_LIMITS.readTimeoutMs,
    });
  });

  it('take counts and Go durations', () => {
    const o = options([
      '-tcp-max-connections=4096',
      '-tcp-max-connections-per-client',
      '1024',
      '-tcp-idle-timeout=30s',
      '-tcp-read-timeout=1500ms',
    ]);
    assert.deepEqual(o.tcpLimits, {
      maxConnections: 4096,
      maxConnectionsPerClient: 1024,
      idleTimeoutMs: 30_000,
      readTimeoutMs: 1500,
    });
  });

  it('reject values that are not usable, before anything starts', () => {
    rejects(['-tcp-max-connections=0'], /-tcp-max-connections: want a whole number/);
    rejects(['-tcp-max-connections=1e3'], /-tcp-max-connections: want a whole number/);
    rejects(['-tcp-max-connections-per-client=-1'], /per-client: want a whole number/);
    rejects(
      ['-tcp-max-connections=10', '-tcp-max-connections-per-client=11'],
      /per-client \(11\) exceeds -tcp-max-connections \(10\)/,
    );
    rejects(['-tcp-idle-timeout=10'], /-tcp-idle-timeout: want a duration/);
    rejects(['-tcp-read-timeout=0s'], /-tcp-read-timeout: want a duration/);
    // past Node's timer limit a timer fires after 1 ms: refused for every duration flag
    rejects(['-tcp-idle-timeout=1000h'], /1ms to 24 days/);
    rejects(['-configsyncinterval=1000h'], /1ms to 24 days/);
    rejects(['-syncinterval=3000000'], /1ms to 24 days/);
  });

  it('reach the server the agent runs', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'nld-tcpflags-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const port = await freePort();
    const corefile = join(dir, 'Corefile');
    await writeFile(
      corefile,
      `example.:${port} {\n bind 127.0.0.1\n template IN A example. {\n  answer "{{ .Name }} 60 IN A 192.0.2.1"\n }\n}\n`,
    );
    const o = options(['-tcp-max-connections-per-client=1']);
    const server = new InProcessServer(
      corefile,
      port,
      500,
      memoryLogger(),
      { workers: 1 },
      o.tcpLimits,
    );
    t.after(() => server.stop());
    await new Promise<void>((onServing) => server.start({ onServing }));
    const first = await tcpSession('127.0.0.1', port, { timeoutMs: 3000 });
    t.after(() => first.close());
    const second = await tcpSession('127.0.0.1', port, { timeoutMs: 3000 });
    t.after(() => second.close());
    await second.closed; // closed by the server: over the per-client cap of 1
    assert.ok((await first.send({ name: 'www.example.' })).length > 12, 'the first is served');
  });
});
