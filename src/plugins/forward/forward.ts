// The forward handler (CoreDNS plugin/forward/forward.go): queries for FROM (minus `except`) go
// to the upstreams; everything else goes to the next plugin untouched.

import type { Handler, Outcome, Request, ResponseWriter } from '../../chain/handler.ts';
import { PluginFailure } from '../../chain/handler.ts';
import { Rcode } from '../../dns/constants.ts';
import { nameToWire } from '../../dns/name.ts';
import { DEFAULT_TUNING, type UpstreamTuning } from '../../upstream/context.ts';
import { TlsDialer } from '../../upstream/tls.ts';
import { Upstream } from '../../upstream/upstream.ts';
import type { Logger } from '../../util/log.ts';
import { type ForwardConfig, PLUGIN_NAME } from './config.ts';
import { nameWithin, zoneWire } from './match.ts';
import { makeOrderer, type Orderer } from './policy.ts';
import { ForwardQuery } from './query.ts';

export interface ForwardTuning extends UpstreamTuning {
  /** How long one query may keep trying upstreams (CoreDNS: fixed 5 s). */
  readonly windowMs: number;
}

export const DEFAULT_FORWARD_TUNING: ForwardTuning = { ...DEFAULT_TUNING, windowMs: 5000 };

/** Counters of the plugin itself (per forward line). */
export class ForwardStats {
  /** Every upstream was down and one was picked at random anyway (or failfast applied). */
  healthcheckBroken = 0;
  /** Queries refused by max_concurrent. */
  maxConcurrentRejects = 0;
}

export class ForwardHandler implements Handler {
  readonly name = PLUGIN_NAME;
  readonly config: ForwardConfig;
  readonly tuning: ForwardTuning;
  readonly upstreams: readonly Upstream[];
  readonly stats = new ForwardStats();
  readonly order: Orderer<Upstream>;
  /** The rest of the chain; set when the chain is built. */
  next: Handler;
  readonly #from: Uint8Array;
  readonly #except: readonly Uint8Array[];
  #inflight = 0;
  #closed = false;

  constructor(
    config: ForwardConfig,
    log: Logger,
    next: Handler,
    tuning: ForwardTuning = DEFAULT_FORWARD_TUNING,
  ) {
    this.config = config;
    this.tuning = tuning;
    this.next = next;
    this.#from = zoneWire(config.from);
    this.#except = config.except.map(zoneWire);
    const health = {
      maxFails: config.maxFails,
      intervalMs: config.healthCheck.intervalMs,
      recursionDesired: config.healthCheck.recursionDesired,
      domainWire: nameToWire(config.healthCheck.domain),
      overTcp: config.forceTcp,
    };
    // One dialer for the line's tls:// upstreams: they share its settings and session cache.
    const tls = config.to.some((t) => t.tls) ? new TlsDialer(config.tls) : undefined;
    this.upstreams = config.to.map(({ tls: overTls, ...address }) => {
      const options = { expireMs: config.expireMs, health, tuning };
      return new Upstream(
        address,
        overTls && tls !== undefined ? { ...options, streamDialer: tls } : options,
        log,
      );
    });
    this.order = makeOrderer(config.policy, this.upstreams);
  }

  /** Queries in flight upstream (counted for max_concurrent). */
  get inflight(): number {
    return this.#inflight;
  }

  get closed(): boolean {
    return this.#closed;
  }

  serveDNS(req: Request, w: ResponseWriter): Outcome {
    if (!this.#accepts(req)) return this.next.serveDNS(req, w);
    const max = this.config.maxConcurrent;
    if (max > 0 && this.#inflight >= max) {
      this.stats.maxConcurrentRejects++;
      return new PluginFailure(
        PLUGIN_NAME,
        Rcode.REFUSED,
        `concurrent queries exceeded maximum ${max}`,
      );
    }
    this.#inflight++;
    return new ForwardQuery(this, req, w).start();
  }

  /** Upstream transport for a query from a client on `transport` (CoreDNS TestProtocolSelection). */
  overTcp(req: Request): boolean {
    return this.config.forceTcp || (!this.config.preferUdp && req.transport === 'tcp');
  }

  /** `next RCODE` hands over only to another forward line (CoreDNS checks `f.Next.(*Forward)`). */
  nextIsForward(): boolean {
    return this.next instanceof ForwardHandler;
  }

  /** Called once by each ForwardQuery when it is finished. */
  finished(): void {
    this.#inflight--;
  }

  /** Closes every upstream connection; queries in flight fail with SERVFAIL. */
  close(): void {
    this.#closed = true;
    for (const upstream of this.upstreams) upstream.close();
  }

  /** FROM matches and no `except` zone does; the FROM name itself is always forwarded. */
  #accepts(req: Request): boolean {
    const q = req.query;
    const wire = q.wire;
    if (!nameWithin(wire, 12, q.qnameEnd, this.#from)) return false;
    if (this.#except.length === 0 || q.qnameEnd - 12 === this.#from.length) return true;
    for (const zone of this.#except) if (nameWithin(wire, 12, q.qnameEnd, zone)) return false;
    return true;
  }
}
