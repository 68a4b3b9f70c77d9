// The DNS server in the agent's own process, as node-cache runs it: one Node process per node.
// A crash of the process needs no clean-up, because the rules divert packets only while its
// sockets are bound (rules.ts); a supervisor child process, which an earlier version used to pull
// the rules on a crash, cost a second Node process (about 65 MiB) for nothing the kernel does not
// do now. A start that fails (a port still taken, say) is retried.

import { type App, startApp } from '../app.ts';
import type { TcpLimits } from '../server/tcp-limits.ts';
import type { Logger, LogSettings } from '../util/log.ts';
import type { InterceptionState, SetupErrorCounts } from './types.ts';

export interface ServerEvents {
  /** The server answered a real query on every listener. */
  onServing(): void;
}

export class InProcessServer {
  readonly #corefilePath: string;
  readonly #dnsPort: number;
  readonly #log: Logger;
  readonly #retryMs: number;
  readonly #threads: { readonly workers: number; readonly workerLog?: LogSettings };
  readonly #tcpLimits: Partial<TcpLimits>;
  #app: App | undefined;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #counts: SetupErrorCounts | undefined;
  #interception: InterceptionState | undefined;

  constructor(
    corefilePath: string,
    dnsPort: number,
    retryMs: number,
    log: Logger,
    threads: { readonly workers: number; readonly workerLog?: LogSettings } = { workers: 1 },
    tcpLimits: Partial<TcpLimits> = {},
  ) {
    this.#threads = threads;
    this.#corefilePath = corefilePath;
    this.#dnsPort = dnsPort;
    this.#retryMs = retryMs;
    this.#log = log;
    this.#tcpLimits = tcpLimits;
  }

  start(events: ServerEvents): void {
    void this.#start(events);
  }

  async #start(events: ServerEvents): Promise<void> {
    try {
      const app = await startApp({
        corefilePath: this.#corefilePath,
        dnsPort: this.#dnsPort,
        log: this.#log,
        workers: this.#threads.workers,
        workerRestartMs: this.#retryMs,
        ...(this.#threads.workerLog === undefined ? {} : { workerLog: this.#threads.workerLog }),
        tcpLimits: this.#tcpLimits,
      });
      if (this.#stopped) {
        await app.stop();
        return;
      }
      this.#app = app;
      if (this.#counts !== undefined) app.setSetupErrors(this.#counts);
      if (this.#interception !== undefined) app.setInterception(this.#interception);
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

  setInterception(state: InterceptionState): void {
    this.#interception = state;
    this.#app?.setInterception(state);
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
