// Runs the DNS server as a child process and reports when it serves and when it stops serving,
// so the agent can pull the interception rules within moments of a crash or OOM kill (the
// kernel's OOM killer picks the largest process: the child, never this small parent) and put
// them back once a restarted child answers again. A wedged child that stops answering its own
// probe queries is killed and restarted too (kubernetes/dns#586).

import { type ChildProcess, spawn } from 'node:child_process';
import type { Logger } from '../util/log.ts';
import { type FromChild, isFromChild, STANDBY_ARG, type ToChild } from './ipc.ts';
import { SpareChild } from './spare.ts';
import type { SetupErrorCounts } from './types.ts';

export interface ServerEvents {
  /** The server answered a real query on every listener. */
  onServing(): void;
  /** The server stopped serving (exit, crash, kill, failed liveness). */
  onDown(reason: string): void;
}

/** The DNS server as the agent sees it: a child process, or the app in this process. */
export interface ServerRunner {
  start(events: ServerEvents): void;
  /** Re-reads the Corefile; rejects with the server's error (the old config keeps serving). */
  reload(): Promise<void>;
  setSetupErrors(counts: SetupErrorCounts): void;
  stop(): Promise<void>;
}

export interface SupervisorOptions {
  /** Script the child runs (server-child.ts, or a stand-in in tests) and its arguments. */
  readonly entry: string;
  readonly args: readonly string[];
  readonly execArgv?: readonly string[];
  /** Environment of the child (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
  readonly restartDelayMs: number;
  readonly maxRestartDelayMs?: number;
  /** Probe period; the child is killed after `livenessFailures` probes in a row fail. */
  readonly livenessIntervalMs?: number;
  readonly livenessFailures?: number;
  /** A child that does not serve within this long is killed and restarted. */
  readonly startTimeoutMs?: number;
  /** Keep a loaded idle child to take over at once when the serving one dies (-standby). */
  readonly standby?: boolean;
  /** Grace for a clean stop before SIGKILL. */
  readonly stopTimeoutMs?: number;
  readonly log: Logger;
}

/** A child that served at least this long restarts with the initial delay again. */
const STABLE_AFTER_MS = 30_000;
const RELOAD_TIMEOUT_MS = 30_000;

export class ChildSupervisor implements ServerRunner {
  readonly #o: SupervisorOptions;
  #events: ServerEvents | undefined;
  #child: ChildProcess | undefined;
  #serving = false;
  #servedAt = 0;
  #stopping = false;
  #delayMs: number;
  #restartTimer: NodeJS.Timeout | undefined;
  #startTimer: NodeJS.Timeout | undefined;
  #liveTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #nextId = 1;
  #pingOutstanding: number | undefined;
  #counts: SetupErrorCounts | undefined;
  readonly #reloads = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #exited: Promise<void> = Promise.resolve();
  readonly #spare: SpareChild | undefined;

  constructor(options: SupervisorOptions) {
    this.#o = options;
    this.#delayMs = options.restartDelayMs;
    if (options.standby === true)
      this.#spare = new SpareChild(() => this.#spawn(true), options.log);
  }

  /** PID of the current child (tests kill it). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get serving(): boolean {
    return this.#serving;
  }

  start(events: ServerEvents): void {
    this.#events = events;
    this.#launch();
  }

  #spawn(standby: boolean): ChildProcess {
    const args = [...(this.#o.execArgv ?? []), this.#o.entry, ...this.#o.args];
    // detached: its own process group, so a signal to ours (Ctrl-C, `timeout`, kill -- -pgid)
    // reaches only the supervisor, which pulls the rules *before* stopping the server. A child
    // whose supervisor dies sees its IPC channel close and stops by itself.
    return spawn(process.execPath, standby ? [...args, STANDBY_ARG] : args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: this.#o.env ?? process.env,
      detached: true,
    });
  }

  #launch(): void {
    if (this.#stopping) return;
    const child = this.#spawn(false);
    this.#o.log.info(`server: started child pid ${child.pid ?? '?'}`);
    this.#adopt(child);
  }

  /** Makes `child` the active one: its messages and exit drive the state. */
  #adopt(child: ChildProcess): void {
    this.#child = child;
    this.#exited =
      child.exitCode !== null
        ? Promise.resolve()
        : new Promise((r) => child.once('exit', () => r()));
    child.on('message', (m: unknown) => {
      if (isFromChild(m) && child === this.#child) this.#onMessage(m);
    });
    child.on('error', (e) => this.#o.log.error(`server: child: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (child === this.#child)
        this.#onExit(signal !== null ? `killed by ${signal}` : `exit code ${code ?? '?'}`);
    });
    this.#startTimer = setTimeout(() => {
      if (!this.#serving) this.#kill(`not serving after ${this.#o.startTimeoutMs ?? 60_000} ms`);
    }, this.#o.startTimeoutMs ?? 60_000);
  }

  #onMessage(m: FromChild): void {
    switch (m.type) {
      case 'serving':
        clearTimeout(this.#startTimer);
        this.#serving = true;
        this.#servedAt = Date.now();
        this.#failures = 0;
        if (this.#counts !== undefined) this.#send({ type: 'setupErrors', counts: this.#counts });
        this.#o.log.info('server: serving');
        this.#events?.onServing();
        this.#liveTimer = setInterval(() => this.#probe(), this.#o.livenessIntervalMs ?? 2000);
        this.#spare?.ensure();
        break;
      case 'pong':
        if (m.id !== this.#pingOutstanding) break;
        this.#pingOutstanding = undefined;
        if (m.ok) this.#failures = 0;
        else this.#probeFailed('self-check query unanswered');
        break;
      case 'reloaded': {
        const waiter = this.#reloads.get(m.id);
        this.#reloads.delete(m.id);
        if (m.error === undefined) waiter?.resolve();
        else waiter?.reject(new Error(m.error));
        break;
      }
      case 'failed':
        this.#o.log.error(`server: failed to start: ${m.error}`);
        break;
    }
  }

  #probe(): void {
    if (this.#pingOutstanding !== undefined) this.#probeFailed('no reply to liveness ping');
    if (this.#child === undefined) return;
    this.#pingOutstanding = this.#nextId++;
    this.#send({ type: 'ping', id: this.#pingOutstanding });
  }

  #probeFailed(reason: string): void {
    this.#failures += 1;
    this.#o.log.warning(`server: liveness probe failed (${this.#failures}): ${reason}`);
    if (this.#failures >= (this.#o.livenessFailures ?? 3)) this.#kill(`liveness: ${reason}`);
  }

  /** Down first (rules out), then SIGKILL; the exit handler restarts. */
  #kill(reason: string): void {
    this.#o.log.error(`server: killing child: ${reason}`);
    this.#markDown(reason);
    this.#child?.kill('SIGKILL');
  }

  /** `notify` false on a requested stop: the agent decides about the rules then (-skipteardown). */
  #markDown(reason: string, notify = true): void {
    clearInterval(this.#liveTimer);
    clearTimeout(this.#startTimer);
    this.#pingOutstanding = undefined;
    if (!this.#serving) return;
    this.#serving = false;
    if (notify && !this.#stopping) this.#events?.onDown(reason);
  }

  #onExit(reason: string): void {
    this.#child = undefined;
    for (const w of this.#reloads.values()) w.reject(new Error(`server exited (${reason})`));
    this.#reloads.clear();
    const servedLong = this.#servedAt > 0 && Date.now() - this.#servedAt >= STABLE_AFTER_MS;
    this.#markDown(reason);
    if (this.#stopping) return;
    if (servedLong) this.#delayMs = this.#o.restartDelayMs;
    // A child that had been serving is replaced by the warm spare at once; a child that never
    // served (bad config, port taken) backs off as usual, so the spare is not burnt in a loop.
    const spare = this.#servedAt > 0 ? this.#spare?.take() : undefined;
    if (spare !== undefined) {
      this.#servedAt = 0;
      this.#o.log.error(
        `server: child ${reason}; activating standby child pid ${spare.pid ?? '?'}`,
      );
      this.#adopt(spare);
      spare.send({ type: 'activate' } satisfies ToChild);
      return;
    }
    this.#o.log.error(`server: child ${reason}; restarting in ${this.#delayMs} ms`);
    this.#restartTimer = setTimeout(() => this.#launch(), this.#delayMs);
    this.#delayMs = Math.min(this.#delayMs * 2, this.#o.maxRestartDelayMs ?? 10_000);
    this.#servedAt = 0;
  }

  #send(message: ToChild): void {
    if (this.#child?.connected === true) this.#child.send(message);
  }

  setSetupErrors(counts: SetupErrorCounts): void {
    this.#counts = counts;
    this.#send({ type: 'setupErrors', counts });
  }

  reload(): Promise<void> {
    if (this.#child?.connected !== true) return Promise.resolve(); // the next child reads the new file
    const id = this.#nextId++;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#reloads.delete(id);
        reject(new Error(`reload not confirmed within ${RELOAD_TIMEOUT_MS} ms`));
      }, RELOAD_TIMEOUT_MS);
      const done = (fn: () => void): void => {
        clearTimeout(timer);
        fn();
      };
      this.#reloads.set(id, { resolve: () => done(resolve), reject: (e) => done(() => reject(e)) });
      this.#send({ type: 'reload', id });
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    this.#spare?.stop();
    const child = this.#child;
    if (child === undefined) return;
    this.#markDown('stopping', false);
    this.#send({ type: 'stop' });
    const timer = setTimeout(() => child.kill('SIGKILL'), this.#o.stopTimeoutMs ?? 10_000);
    await this.#exited;
    clearTimeout(timer);
  }
}
