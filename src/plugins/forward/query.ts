// One cache miss on its way upstream: CoreDNS's ServeDNS loop as a small state machine driven by
// the transport's callbacks. The object is both the loop state and the transports' Exchange, so a
// miss allocates it, one framed copy of the query, and the promise the chain waits on.

import {
  type Handler,
  PluginFailure,
  type Request,
  type ResponseWriter,
  type Result,
} from '../../chain/handler.ts';
import { buildErrorReply } from '../../dns/build.ts';
import { Flag, Rcode } from '../../dns/constants.ts';
import type { MessageLayout } from '../../dns/message.ts';
import { UpstreamError } from '../../upstream/errors.ts';
import type { Exchange } from '../../upstream/exchange.ts';
import type { Upstream } from '../../upstream/upstream.ts';
import { type ForwardConfig, PLUGIN_NAME } from './config.ts';
import { pickRandom } from './policy.ts';

/** What a query needs of its ForwardHandler; an interface, so forward.ts ↔ query.ts is no cycle. */
export interface QueryOwner {
  readonly config: ForwardConfig;
  readonly tuning: { readonly windowMs: number };
  readonly upstreams: readonly Upstream[];
  readonly stats: { healthcheckBroken: number };
  readonly closed: boolean;
  readonly next: Handler;
  readonly order: () => readonly Upstream[];
  overTcp(req: Request): boolean;
  nextIsForward(): boolean;
  finished(): void;
}

type Settle = (value: Result | PromiseLike<Result>) => void;
type Fail = (reason: unknown) => void;
const unset = (): void => {};

/** Pause before another pass over upstreams that all failed; doubles per pass up to the max. */
const FIRST_PASS_PAUSE_MS = 25;
const MAX_PASS_PAUSE_MS = 250;

export class ForwardQuery implements Exchange {
  readonly frame: Buffer;
  readonly qnameEnd: number;
  id = 0;
  deadline = 0;
  retried = false;

  readonly #fwd: QueryOwner;
  readonly #req: Request;
  readonly #w: ResponseWriter;
  readonly #list: readonly Upstream[];
  readonly #start: number;
  /** Next index into #list. */
  #i = 0;
  /** Down-skips plus failovers in this pass over the list (CoreDNS `fails`). */
  #fails = 0;
  /** Failed exchanges, for max_connect_attempts. */
  #attempts = 0;
  /** Passes over the list that ended in an exchange error. */
  #passes = 0;
  #current: Upstream | undefined;
  #overTcp = false;
  #lastError: Error | undefined;
  #resolve: Settle = unset;
  #reject: Fail = unset;

  constructor(fwd: QueryOwner, req: Request, w: ResponseWriter) {
    this.#fwd = fwd;
    this.#req = req;
    this.#w = w;
    this.#list = fwd.order();
    this.#start = performance.now();
    // The client's query verbatim (EDNS, case, flags) behind a TCP length prefix; transports
    // write their own ID into bytes 2-3.
    const query = req.query.wire;
    this.frame = Buffer.allocUnsafe(query.length + 2);
    this.frame.writeUInt16BE(query.length, 0);
    this.frame.set(query, 2);
    this.qnameEnd = req.query.qnameEnd;
  }

  start(): Promise<Result> {
    const promise = new Promise<Result>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    try {
      this.#step();
    } catch (err) {
      this.#finish();
      this.#reject(err);
    }
    return promise;
  }

  /** Picks the next upstream and sends, or gives up (CoreDNS's loop head). */
  #step(): void {
    const fwd = this.#fwd;
    const list = this.#list;
    const cap = fwd.config.maxConnectAttempts;
    for (;;) {
      if (
        fwd.closed ||
        performance.now() - this.#start >= fwd.tuning.windowMs ||
        (cap > 0 && this.#attempts >= cap)
      ) {
        this.#fail();
        return;
      }
      if (this.#i >= list.length) {
        this.#i = 0;
        this.#fails = 0;
      }
      let upstream = list[this.#i++] as Upstream;
      if (upstream.down) {
        if (++this.#fails < list.length) continue;
        // Every upstream is down: assume the health checks are what is broken and try one.
        fwd.stats.healthcheckBroken++;
        if (fwd.config.failfastAllUnhealthyUpstreams) {
          this.#fail();
          return;
        }
        upstream = pickRandom(fwd.upstreams);
      }
      this.#current = upstream;
      this.#overTcp = fwd.overTcp(this.#req);
      upstream.exchange(this, this.#overTcp);
      return;
    }
  }

  onError(err: Error): void {
    const fwd = this.#fwd;
    this.#lastError = err;
    this.#attempts++;
    const suspect = !(err instanceof UpstreamError) || err.suspectsUpstream;
    if (suspect && fwd.config.maxFails !== 0) this.#current?.healthcheck();
    if (this.#fails >= this.#list.length) {
      this.#fail();
    } else if (this.#i >= this.#list.length) {
      // A whole pass failed. CoreDNS starts the next one at once, which against a refusing
      // upstream is a connect storm until the health checks mark it down; pause a little.
      const pause = Math.min(FIRST_PASS_PAUSE_MS * 2 ** this.#passes++, MAX_PASS_PAUSE_MS);
      setTimeout(() => this.#step(), pause);
    } else {
      this.#step();
    }
  }

  onAnswer(answer: Buffer, layout: MessageLayout, matches: boolean): void {
    this.#lastError = undefined; // CoreDNS keeps only the latest exchange's error
    const fwd = this.#fwd;
    const config = fwd.config;
    if ((layout.flags & Flag.TC) !== 0 && config.preferUdp && !config.forceTcp && !this.#overTcp) {
      // Truncated over UDP with prefer_udp: the same upstream again, over TCP.
      this.#overTcp = true;
      (this.#current as Upstream).exchange(this, true);
      return;
    }
    if (!matches) {
      this.#finish();
      this.#write(buildErrorReply(this.#req.query, Rcode.FORMERR));
      return;
    }
    const rcode = layout.extendedRcode;
    if (
      config.failover.length > 0 &&
      config.failover.includes(rcode) &&
      this.#fails < this.#list.length
    ) {
      this.#fails++;
      this.#step();
      return;
    }
    if (config.next.length > 0 && config.next.includes(rcode) && fwd.nextIsForward()) {
      this.#finish();
      try {
        this.#resolve(fwd.next.serveDNS(this.#req, this.#w));
      } catch (err) {
        this.#reject(err);
      }
      return;
    }
    this.#finish();
    answer.writeUInt16BE(this.#req.query.id, 0);
    this.#write(answer, layout);
  }

  #write(wire: Buffer, layout?: MessageLayout): void {
    try {
      this.#w.write(wire, PLUGIN_NAME, layout);
      this.#resolve(Rcode.NOERROR);
    } catch (err) {
      this.#reject(err);
    }
  }

  #fail(): void {
    this.#finish();
    const cause = this.#lastError;
    const message = cause === undefined ? 'no healthy proxies' : cause.message;
    this.#resolve(new PluginFailure(PLUGIN_NAME, Rcode.SERVFAIL, message, cause));
  }

  #finish(): void {
    this.#fwd.finished();
  }
}
