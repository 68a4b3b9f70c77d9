// -standby: one idle server child with its code already loaded, waiting for `activate`. When the
// serving child dies, the supervisor promotes the spare at once, skipping the second or two a
// cold Node start and module load takes (the local IP in IPVS mode has no fallback meanwhile).

import type { ChildProcess } from 'node:child_process';
import type { Logger } from '../util/log.ts';
import { isFromChild } from './ipc.ts';

export class SpareChild {
  readonly #spawn: () => ChildProcess;
  readonly #log: Logger;
  #child: ChildProcess | undefined;
  #ready = false;

  /** `spawn` starts a child in standby mode. */
  constructor(spawn: () => ChildProcess, log: Logger) {
    this.#spawn = spawn;
    this.#log = log;
  }

  /** Starts a spare unless one exists. */
  ensure(): void {
    if (this.#child !== undefined) return;
    const child = this.#spawn();
    this.#child = child;
    this.#ready = false;
    child.on('message', (m: unknown) => {
      if (child === this.#child && isFromChild(m) && m.type === 'standby') {
        this.#ready = true;
        this.#log.info(`server: standby child pid ${child.pid ?? '?'} ready`);
      }
    });
    child.on('exit', () => {
      if (child === this.#child) this.#child = undefined;
    });
  }

  /** The ready spare, handed over (the caller activates it); undefined when none is ready. */
  take(): ChildProcess | undefined {
    const child = this.#child;
    if (child === undefined || !this.#ready || child.exitCode !== null || !child.connected)
      return undefined;
    this.#child = undefined;
    return child;
  }

  stop(): void {
    const child = this.#child;
    this.#child = undefined;
    if (child !== undefined && child.exitCode === null) child.kill('SIGTERM');
  }
}
