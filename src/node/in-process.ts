// -supervise=false: the app runs in the agent's own process, as node-cache does. Rules still go
// in only once it serves and come out on stop, but a crash of this process leaves them behind;
// the supervised mode exists to close that gap.

import type { App } from '../app.ts';
import type { Logger } from '../util/log.ts';
import type { ServerEvents, ServerRunner } from './supervisor.ts';
import type { SetupErrorCounts } from './types.ts';

export class InProcessServer implements ServerRunner {
  readonly #corefilePath: string;
  readonly #dnsPort: number;
  readonly #log: Logger;
  readonly #retryMs: number;
  #app: App | undefined;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #counts: SetupErrorCounts | undefined;

  constructor(corefilePath: string, dnsPort: number, retryMs: number, log: Logger) {
    this.#corefilePath = corefilePath;
    this.#dnsPort = dnsPort;
    this.#retryMs = retryMs;
    this.#log = log;
  }

  start(events: ServerEvents): void {
    void this.#start(events);
  }

  async #start(events: ServerEvents): Promise<void> {
    try {
      // imported here, so the supervisor process never loads the DNS server's code
      const { startApp } = await import('../app.ts');
      const app = await startApp({
        corefilePath: this.#corefilePath,
        dnsPort: this.#dnsPort,
        log: this.#log,
      });
      if (this.#stopped) {
        await app.stop();
        return;
      }
      this.#app = app;
      if (this.#counts !== undefined) app.setSetupErrors(this.#counts);
      await app.serving;
      if (!this.#stopped) events.onServing();
    } catch (e) {
      // A bad Corefile is not fatal: config sync may fix it; try again.
      this.#log.error(
        `server: ${e instanceof Error ? e.message : String(e)}; retrying in ${this.#retryMs} ms`,
      );
      if (!this.#stopped) this.#timer = setTimeout(() => void this.#start(events), this.#retryMs);
    }
  }

  async reload(): Promise<void> {
    await this.#app?.reload();
  }

  setSetupErrors(counts: SetupErrorCounts): void {
    this.#counts = counts;
    this.#app?.setSetupErrors(counts);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#app?.stop();
  }
}
