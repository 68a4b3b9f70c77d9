// What a plugin's `init` gets: the App-lifetime services, for the part of a plugin that outlives
// configs (counters that must not reset on reload, a poller, a self-check timer). CoreDNS keeps
// such things in package-level variables registered at init; here they hang off the App, so
// two Apps in one process (tests) stay apart.

import type { ScannedQuery } from '../dns/query.ts';
import type { HttpAddress } from '../http/address.ts';
import type { Collector } from '../metrics/registry.ts';
import type { Logger } from '../util/log.ts';

export type Hook = () => void | Promise<void>;

/** Sees packets rejected before any chain (CoreDNS's zone `dropped`). */
export interface RejectedQueryObserver {
  rejected(
    server: string,
    transport: 'udp' | 'tcp',
    family: 1 | 2,
    query: ScannedQuery | undefined,
    rcode: number,
  ): void;
}

/** Cumulative counts of a plugin that answers from a cache (the status page's hit ratio). */
export interface HitCounts {
  readonly hits: number;
  readonly requests: number;
}

/**
 * A plugin's line to its own instances on the other threads serving DNS (`-workers`). Threads
 * are numbered 0 (the main thread) to count - 1; with one thread there is no one to ask.
 */
export interface PeerChannel {
  readonly self: number;
  readonly count: number;
  /** False while `peer` is down (being restarted): work alone meanwhile. */
  connected(peer: number): boolean;
  /** Asks thread `to`'s instance of this plugin; rejects when it is down or has no answer. */
  ask(to: number, body: unknown): Promise<unknown>;
  /** Answers what the other threads' instances ask (structured-clone values both ways). */
  answer(handler: (body: unknown, from: number) => unknown): void;
}

export interface PluginApp {
  /** Prefixed `plugin/<name>: `. */
  readonly log: Logger;
  /**
   * False in a worker thread that serves DNS beside the main thread (`-workers`): it has no
   * HTTP listeners, and work that must happen once per process (polling the Corefile, fetching
   * /health, readiness) belongs to the primary.
   */
  readonly primary: boolean;
  /** This plugin's channel to the other threads serving DNS. */
  readonly peers: PeerChannel;
  /** Resolves once every DNS listener answered its first self-query. */
  readonly serving: Promise<void>;
  /** Self-query through every DNS listener's UDP socket; true when all answered in time. */
  selfCheck(timeoutMs: number): Promise<boolean>;
  /** Reads the Corefile the next load would read. */
  readCorefile(): Promise<{ text: string; file: string }>;
  /** Loads the Corefile again; rejects (and the old config keeps running) when it fails. */
  reload(): Promise<void>;
  /** A collector rendered on /metrics for the App's lifetime. */
  addCollector(collector: Collector): void;
  /** The whole /metrics exposition text, every worker's series merged in. */
  renderMetrics(): Promise<string>;
  /** Observes packets rejected before any chain. */
  addRejectedQueryObserver(observer: RejectedQueryObserver): void;
  /** Reports a cache's cumulative hits and requests; hitCounts() sums every reporter. */
  addHitCounter(read: () => HitCounts): void;
  hitCounts(): HitCounts;
  /** The port the HTTP listener for `address` got (resolves port 0), once bound. */
  httpPort(address: HttpAddress): number | undefined;
  /** Runs when the App closes, after every config shut down: timers stop here. */
  onClose(hook: Hook): void;
}
