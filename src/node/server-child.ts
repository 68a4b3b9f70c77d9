// Entry of the DNS server child process: starts the app from the rendered Corefile, tells the
// supervisor once a real query was answered, and answers its reload/ping/stop messages. It exits
// by closing everything (never process.exit): when the supervisor goes away, the IPC channel
// closes and the child stops too, so no orphan keeps serving without its rules owner.

import { type App, startApp } from '../app.ts';
import { createLogger } from '../util/log.ts';
import { type ChildConfig, type FromChild, isToChild, STANDBY_ARG } from './ipc.ts';

const PROBE_TIMEOUT_MS = 1500;

function send(message: FromChild): void {
  if (process.connected) process.send?.(message);
}

function parseConfig(text: string | undefined): ChildConfig {
  const parsed: unknown = JSON.parse(text ?? '{}');
  const o = parsed as Partial<ChildConfig>;
  if (typeof o.corefilePath !== 'string' || typeof o.dnsPort !== 'number')
    throw new Error('server child: bad config argument');
  return { corefilePath: o.corefilePath, dnsPort: o.dnsPort };
}

/**
 * Standby: the code is loaded (static imports); wait for `activate`. False when told to stop,
 * or when the supervisor went away, first.
 */
function standby(): Promise<boolean> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown): void => {
      if (!isToChild(m) || (m.type !== 'activate' && m.type !== 'stop')) return;
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
      if (m.type === 'stop') process.disconnect?.();
      resolve(m.type === 'activate');
    };
    const onDisconnect = (): void => {
      process.off('message', onMessage);
      resolve(false);
    };
    process.on('message', onMessage);
    process.on('disconnect', onDisconnect);
    send({ type: 'standby' });
  });
}

async function main(): Promise<void> {
  const log = createLogger();
  const config = parseConfig(process.argv[2]);
  if (process.argv[3] === STANDBY_ARG && !(await standby())) return;
  let app: App;
  try {
    app = await startApp({ corefilePath: config.corefilePath, dnsPort: config.dnsPort, log });
  } catch (e) {
    log.error(`server: ${e instanceof Error ? e.message : String(e)}`);
    send({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
    process.exitCode = 1;
    process.disconnect?.();
    return;
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= app.stop().finally(() => {
      if (process.connected) process.disconnect?.();
    });
    return stopping;
  };
  process.on('message', (m: unknown) => {
    if (!isToChild(m)) return;
    switch (m.type) {
      case 'reload':
        app.reload().then(
          () => send({ type: 'reloaded', id: m.id }),
          (e: unknown) =>
            send({ type: 'reloaded', id: m.id, error: e instanceof Error ? e.message : String(e) }),
        );
        break;
      case 'ping':
        app.selfCheck(PROBE_TIMEOUT_MS).then(
          (ok) => send({ type: 'pong', id: m.id, ok }),
          () => send({ type: 'pong', id: m.id, ok: false }),
        );
        break;
      case 'setupErrors':
        app.setSetupErrors(m.counts);
        break;
      case 'stop':
        void stop();
        break;
    }
  });
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  await app.serving;
  send({ type: 'serving' });
}

void main();
