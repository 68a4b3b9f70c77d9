// One DNS server per listen address and port, shared by every server block bound there (as in
// CoreDNS). It applies the checks that come before any plugin, picks the zone's chain and
// writes the error reply when the chain returns an error rcode without writing.

import { performance } from 'node:perf_hooks';
import type { QueryObserver, RejectedQueryObserver } from '../chain/definition.ts';
import type { Handler, Result } from '../chain/handler.ts';
import { PluginError, rcodeOf } from '../chain/handler.ts';
import { buildErrorReply } from '../dns/build.ts';
import { Rcode } from '../dns/constants.ts';
import { type ScannedQuery, ScanVerdict, scanQuery } from '../dns/query.ts';
import type { Logger } from '../util/log.ts';
import { PROBE_KEY } from './probe.ts';
import { ServerRequest } from './request.ts';
import { ReplyWriter, type SendReply } from './writer.ts';
import type { ZoneTable } from './zones.ts';

/** A zone's handler chain, with an optional observer that sees every finished query. */
export interface ZoneRoute {
  readonly handler: Handler;
  readonly observer: QueryObserver | undefined;
  /** Queries in flight on this route's config, so a retired config knows when it is idle. */
  readonly tracker: { active: number };
}

/** Counts packets rejected before the chain (CoreDNS's zone `dropped`); plugins register them. */
export type RejectObserver = RejectedQueryObserver;

export interface ServerStats {
  queries: number;
  rejected: number;
  /** Exceptions that were not PluginErrors (CoreDNS's coredns_panics_total). */
  panics: number;
  /** UDP replies ready only after the listener closed (a stop past its drain deadline). */
  unsentAfterClose: number;
}

const ERROR_RCODES = new Set<number>([Rcode.SERVFAIL, Rcode.REFUSED, Rcode.FORMERR, Rcode.NOTIMP]);

/** Packets kept while a new listener waits for its config to start (hold()). */
const MAX_HELD = 4096;

export class DnsServer {
  /** `dns://host:port`, the `server` label. */
  readonly label: string;
  readonly stats: ServerStats = { queries: 0, rejected: 0, panics: 0, unsentAfterClose: 0 };
  #zones: ZoneTable<ZoneRoute>;
  readonly #log: Logger;
  #rejectObserver: RejectObserver | undefined;
  #inFlight = 0;
  #accepting = true;
  #held: Array<Parameters<DnsServer['handle']>> | undefined;
  #drainWaiters: Array<() => void> = [];

  constructor(label: string, zones: ZoneTable<ZoneRoute>, log: Logger) {
    this.label = label;
    this.#zones = zones;
    this.#log = log;
  }

  /** Swaps in a new config's zones; queries already in flight finish on the old chains. */
  setZones(zones: ZoneTable<ZoneRoute>, rejectObserver?: RejectObserver): void {
    this.#zones = zones;
    this.#rejectObserver = rejectObserver;
  }

  /**
   * Queue packets instead of answering them until release(). A new listener is bound before its
   * config's plugins have started, and with SO_REUSEPORT the kernel hands it queries the moment
   * it is bound (a rolling upgrade): they wait here for the started chain.
   */
  hold(): void {
    this.#held ??= [];
  }

  /** Answers what was held, in order, and every packet from now on. */
  release(): void {
    const held = this.#held;
    this.#held = undefined;
    for (const args of held ?? []) this.handle(...args);
  }

  /** From now on new packets are dropped; queries in flight still get their replies. */
  stopAccepting(): void {
    this.#accepting = false;
  }

  /**
   * Entry point for every packet from UDP or TCP. Returns false when the packet is dropped
   * without any reply (so TCP can account for it); otherwise `send` is called exactly once.
   */
  handle(
    wire: Buffer,
    transport: 'udp' | 'tcp',
    address: string,
    port: number,
    family: 1 | 2,
    send: SendReply,
  ): boolean {
    if (!this.#accepting) return false;
    if (this.#held !== undefined) {
      // bound but its config not started yet: keep the packet for release(), bounded
      if (this.#held.length >= MAX_HELD) return false;
      this.#held.push([wire, transport, address, port, family, send]);
      return true;
    }
    const receivedAt = performance.now();
    const query = scanQuery(wire);
    if (query.verdict !== ScanVerdict.OK) {
      return this.#reject(query, transport, address, port, family, send, receivedAt);
    }
    this.stats.queries++;
    const req = new ServerRequest(query, transport, address, port, family, this.label, receivedAt);
    const w = new ReplyWriter(req, send);
    if (query.key === PROBE_KEY) {
      this.#safeWrite(w, buildErrorReply(query, Rcode.NOERROR));
      return true;
    }
    const route = this.#zones.match(query.key, query.qnameLength, query.qtype);
    if (route === undefined) {
      this.stats.rejected++;
      this.#safeWrite(w, buildErrorReply(query, Rcode.REFUSED));
      this.#rejectObserver?.rejected(this.label, transport, family, query, Rcode.REFUSED);
      return true;
    }
    req.zone = route.zone;
    this.#inFlight++;
    route.value.tracker.active++;
    let outcome: Result | Promise<Result>;
    try {
      outcome = route.value.handler.serveDNS(req, w);
    } catch (err) {
      this.#finish(req, w, route.value, this.#rcodeOf(err, req));
      return true;
    }
    if (!(outcome instanceof Promise)) {
      this.#finish(req, w, route.value, rcodeOf(outcome));
    } else {
      outcome.then(
        (result) => this.#finish(req, w, route.value, rcodeOf(result)),
        (err: unknown) => this.#finish(req, w, route.value, this.#rcodeOf(err, req)),
      );
    }
    return true;
  }

  /** Queries being answered now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves when no query is in flight, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#drainWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #finish(req: ServerRequest, w: ReplyWriter, route: ZoneRoute, rcode: number): void {
    if (!w.written) {
      if (!ERROR_RCODES.has(rcode)) {
        this.#log.error(
          `plugin chain returned rcode ${rcode} for ${req.zone} without writing a reply; sending SERVFAIL`,
        );
        rcode = Rcode.SERVFAIL;
      }
      this.#safeWrite(w, buildErrorReply(req.query, rcode));
    }
    route.tracker.active--;
    if (--this.#inFlight === 0 && this.#drainWaiters.length > 0) {
      for (const wake of this.#drainWaiters.splice(0)) wake();
    }
    route.observer?.finished(req, w, rcode, performance.now() - req.receivedAt);
  }

  #rcodeOf(err: unknown, req: ServerRequest): number {
    if (err instanceof PluginError) return err.rcode;
    this.stats.panics++;
    this.#log.error(
      `Recovered from panic in server: "${this.label}" ${req.zone}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
    return Rcode.SERVFAIL;
  }

  #reject(
    query: ScannedQuery,
    transport: 'udp' | 'tcp',
    address: string,
    port: number,
    family: 1 | 2,
    send: SendReply,
    receivedAt: number,
  ): boolean {
    this.stats.rejected++;
    const rcode =
      query.verdict === ScanVerdict.FORMERR
        ? Rcode.FORMERR
        : query.verdict === ScanVerdict.NOTIMP
          ? Rcode.NOTIMP
          : query.verdict === ScanVerdict.BADVERS
            ? Rcode.BADVERS
            : -1;
    this.#log.debug(`rejected packet from ${address}:${port}: ${query.reason}`);
    if (rcode >= 0) {
      const req = new ServerRequest(
        query,
        transport,
        address,
        port,
        family,
        this.label,
        receivedAt,
      );
      this.#safeWrite(new ReplyWriter(req, send), buildErrorReply(query, rcode));
    }
    this.#rejectObserver?.rejected(this.label, transport, family, query, rcode);
    return rcode >= 0;
  }

  #safeWrite(w: ReplyWriter, wire: Buffer): void {
    try {
      w.write(wire, '');
    } catch (err) {
      this.#log.error(`writing a reply failed: ${(err as Error).message}`);
    }
  }
}
