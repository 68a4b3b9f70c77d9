// Starts the agent in-process from a Corefile string on 127.0.0.1 with ephemeral ports, and
// stops it when the test ends.

import type { TestContext } from 'node:test';
import { type App, type AppOptions, startApp } from '../../src/app.ts';
import { memoryLogger } from '../../src/util/log.ts';

export interface RunningAgent {
  readonly app: App;
  readonly port: number;
  readonly lines: string[];
}

/** `corefile` should bind 127.0.0.1 (and/or ::1) on port 0; `options` e.g. inject a clock. */
export async function startAgent(
  t: TestContext,
  corefile: string,
  options: Omit<AppOptions, 'corefileText' | 'log'> = {},
): Promise<RunningAgent> {
  const log = memoryLogger();
  const app = await startApp({ corefileText: corefile, log, drainMs: 500, ...options });
  t.after(() => app.stop());
  await app.serving;
  const first = app.listeners()[0];
  if (first === undefined) throw new Error('agent has no listeners');
  return { app, port: first.port, lines: log.lines };
}
