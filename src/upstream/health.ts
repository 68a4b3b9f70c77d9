// Health of one upstream (CoreDNS pkg/proxy/health.go + pkg/up): no periodic probing of a
// healthy upstream. A failed exchange starts a probe loop, which probes, and on failure counts
// the failure and probes again after `intervalMs`, until a probe succeeds. The upstream is down
// while its consecutive failures exceed `maxFails`.

import type { TransportContext } from './context.ts';
import type { Dialer } from './dial.ts';
import { type ProbeOptions, probe } from './probe.ts';

export interface HealthOptions {
  /** Down when consecutive failed probes exceed this; 0 disables checking (never down). */
  readonly maxFails: number;
  /** Pause between failed probes, ms (CoreDNS `health_check`, default 500). */
  readonly intervalMs: number;
  readonly domainWire: Uint8Array;
  readonly recursionDesired: boolean;
  readonly overTcp: boolean;
  /** The stream dialer of the upstream (TLS for tls:// upstreams, whose probes use it). */
  readonly dialer?: Dialer;
}

export const HealthState = {
  /** No probe loop running. */
  IDLE: 'idle',
  /** Probing until one succeeds. */
  PROBING: 'probing',
  /** Shut down; triggers are ignored. */
  STOPPED: 'stopped',
} as const;
export type HealthState = (typeof HealthState)[keyof typeof HealthState];

const MAX_FAILS_COUNTER = 0xffffffff;

export class HealthChecker {
  readonly #ctx: TransportContext;
  readonly #options: HealthOptions;
  readonly #probe: ProbeOptions;
  #state: HealthState = HealthState.IDLE;
  #timer: NodeJS.Timeout | undefined;
  /** Consecutive failed probes; reset by a success. */
  fails = 0;

  constructor(ctx: TransportContext, options: HealthOptions) {
    this.#ctx = ctx;
    this.#options = options;
    this.#probe = {
      domainWire: options.domainWire,
      recursionDesired: options.recursionDesired,
      overTcp: options.overTcp,
      ...(options.dialer !== undefined && { dialer: options.dialer }),
      timeoutMs: ctx.tuning.probeTimeoutMs,
      connectTimeoutMs: ctx.tuning.connectTimeoutMs,
    };
  }

  get state(): HealthState {
    return this.#state;
  }

  get down(): boolean {
    return this.#options.maxFails !== 0 && this.fails > this.#options.maxFails;
  }

  /** Starts the probe loop unless it runs already (or checking is off). */
  trigger(): void {
    if (this.#options.maxFails === 0 || this.#state !== HealthState.IDLE) return;
    this.#transition(HealthState.PROBING);
    this.#check();
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#transition(HealthState.STOPPED);
  }

  #transition(next: HealthState): void {
    if (this.#state === next) return;
    this.#ctx.log.debug(
      `health ${this.#ctx.address.label}: ${this.#state} -> ${next} (fails ${this.fails})`,
    );
    this.#state = next;
  }

  #check(): void {
    this.#timer = undefined;
    void probe(this.#ctx.address, this.#probe).then((ok) => this.#result(ok));
  }

  #result(ok: boolean): void {
    if (this.#state !== HealthState.PROBING) return;
    if (ok) {
      if (this.down) this.#ctx.log.info(`upstream ${this.#ctx.address.label} is healthy again`);
      this.fails = 0;
      this.#transition(HealthState.IDLE);
      return;
    }
    const wasDown = this.down;
    this.fails = Math.min(this.fails + 1, MAX_FAILS_COUNTER);
    this.#ctx.stats.healthcheckFailures++;
    if (!wasDown && this.down)
      this.#ctx.log.warning(
        `upstream ${this.#ctx.address.label} is down after ${this.fails} failed health checks`,
      );
    this.#timer = setTimeout(() => this.#check(), this.#options.intervalMs);
    this.#timer.unref();
  }
}
