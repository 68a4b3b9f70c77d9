// /ready that proves serving: not ready until the app is serving, then a self-query through every
// real UDP socket each second; a failed self-query, a blocked event loop or a plugin that reports
// not ready (loop) turns it 503 again. node-cache's only check said the HTTP server was running
// (kubernetes/dns#586), which stays true while the DNS socket is wedged.

import type { ServerResponse } from 'node:http';
import type { ReadinessCheck } from '../../chain/definition.ts';
import type { Logger } from '../../util/log.ts';

/** Self-query period and timeout. */
export const CHECK_INTERVAL_MS = 1000;
export const CHECK_TIMEOUT_MS = 500;
/** How often the event-loop watchdog ticks, and how late a tick must be to count as a stall. */
const LAG_TICK_MS = 100;
const STALL_MS = 1000;
/** After a stall, not ready for this long (the next self-queries must show the loop is well). */
const STALL_HOLD_MS = 2 * CHECK_INTERVAL_MS;

export type Monitor = 'until-ready' | 'continuously';

export class Readiness {
  readonly #selfCheck: (timeoutMs: number) => Promise<boolean>;
  readonly #log: Logger;
  #serving = false;
  #selfOk = false;
  #shuttingDown = false;
  #holdUntil = 0;
  #checks: ReadonlyArray<{ check: ReadinessCheck; monitor: Monitor }> = [];
  readonly #readyOnce = new WeakSet<ReadinessCheck>();
  #timer: NodeJS.Timeout | undefined;
  #lagTimer: NodeJS.Timeout | undefined;
  #lastTick = 0;
  #generation = 0;

  constructor(
    selfCheck: (timeoutMs: number) => Promise<boolean>,
    serving: Promise<void>,
    log: Logger,
  ) {
    this.#selfCheck = selfCheck;
    this.#log = log;
    serving.then(
      () => {
        this.#serving = true;
        this.#selfOk = true;
      },
      () => {},
    );
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts the self-query loop and the event-loop watchdog (idempotent). */
  start(): void {
    if (this.#timer !== undefined) return;
    // A stop() while a self-query is out followed by a start() (a reload) must not leave two
    // loops: a loop only reschedules itself while its generation is current.
    const generation = ++this.#generation;
    const loop = async (): Promise<void> => {
      if (this.#serving && !this.#shuttingDown) {
        const ok = await this.#selfCheck(CHECK_TIMEOUT_MS);
        if (ok !== this.#selfOk)
          this.#log[ok ? 'info' : 'warning'](
            ok
              ? 'self-query answered again: ready'
              : 'self-query through the UDP socket failed: not ready',
          );
        this.#selfOk = ok;
      }
      if (this.#timer !== undefined && generation === this.#generation)
        this.#timer = setTimeout(() => void loop(), CHECK_INTERVAL_MS).unref();
    };
    this.#timer = setTimeout(() => void loop(), CHECK_INTERVAL_MS).unref();
    this.#lastTick = performance.now();
    this.#lagTimer = setInterval(() => {
      const now = performance.now();
      const late = now - this.#lastTick - LAG_TICK_MS;
      this.#lastTick = now;
      if (late > STALL_MS) {
        this.#holdUntil = now + STALL_HOLD_MS;
        this.#log.warning(`event loop was blocked for ${Math.round(late)} ms: not ready`);
      }
    }, LAG_TICK_MS).unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    clearInterval(this.#lagTimer);
    this.#timer = undefined;
    this.#lagTimer = undefined;
  }

  /** The checks of the config now running (replaced on every reload). */
  setChecks(checks: ReadonlyArray<{ check: ReadinessCheck; monitor: Monitor }>): void {
    this.#checks = checks;
  }

  beginShutdown(): void {
    this.#shuttingDown = true;
  }

  /** Names of what is not ready, sorted; empty when ready. */
  notReady(): string[] {
    const out: string[] = [];
    if (!this.#serving || !this.#selfOk) out.push('self-query');
    if (performance.now() < this.#holdUntil) out.push('event-loop');
    for (const { check, monitor } of this.#checks) {
      if (monitor === 'until-ready' && this.#readyOnce.has(check)) continue;
      if (check.ready()) this.#readyOnce.add(check);
      else out.push(check.name);
    }
    return [...new Set(out)].sort();
  }

  respond(res: ServerResponse): void {
    const text = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    };
    const missing = this.notReady();
    if (this.#shuttingDown) text(503, 'Shutting down');
    else if (missing.length === 0) text(200, 'OK');
    else text(503, missing.join(','));
  }
}
