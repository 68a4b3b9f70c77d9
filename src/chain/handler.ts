// The plugin contract, after CoreDNS's plugin.Handler: a handler either writes a reply and
// returns an rcode, or returns one of SERVFAIL, REFUSED, FORMERR, NOTIMP without writing, and
// the server writes that error reply. A handler may answer synchronously (a cache hit returns a
// number) or asynchronously (a forward returns a promise); the server handles both, so a hit
// never pays for a promise.

import type { MessageLayout } from '../dns/message.ts';
import type { ScannedQuery } from '../dns/query.ts';

export type Transport = 'udp' | 'tcp';

/** One query as the chain sees it: the scanned packet plus where it came from. */
export interface Request {
  readonly query: ScannedQuery;
  readonly transport: Transport;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** 1 for IPv4, 2 for IPv6 (CoreDNS's `family` label values). */
  readonly family: 1 | 2;
  /** The listener, as CoreDNS labels it: `dns://169.254.20.10:53`. */
  readonly server: string;
  /** The server block zone this query was routed to (normalised, trailing dot). */
  readonly zone: string;
  /**
   * performance.now() when the query entered the chain: the packet's arrival. The cache takes it
   * as the time of a hit, so a plugin that sends a follow-up query down the chain later (dns64's
   * A query) stamps that query with its own time.
   */
  readonly receivedAt: number;
  /** Largest reply the client accepts: its EDNS size (at least 512) over UDP, 65535 over TCP. */
  readonly sizeLimit: number;
}

export interface ResponseWriter {
  /** True once a reply was written. */
  readonly written: boolean;
  /** Header rcode of the written reply; -1 until written. */
  readonly rcode: number;
  /** Length of the written reply in bytes; 0 until written. */
  readonly size: number;
  /** The bytes sent (after fitting to the client's limit), for logging; undefined until written. */
  readonly reply: Buffer | undefined;
  /**
   * Sends a complete reply. The writer fits it into the client's size limit (dropping records
   * and setting TC) and records rcode and size for metrics and logs. Call at most once.
   * `plugin` names the handler that produced it (the `plugin` label of responses_total).
   * `layout`, when the writer already walked `wire`, saves the next reader a second walk.
   */
  write(wire: Buffer, plugin: string, layout?: MessageLayout): void;
}

/**
 * An expected failure as a value (CoreDNS's `(rcode, err)` pair): SERVFAIL for an upstream
 * outage, REFUSED past max_concurrent. Returned or resolved, never thrown, so the hot failure
 * path captures no stack trace; the `errors` plugin logs `message` and the server writes the
 * error reply.
 */
export class PluginFailure {
  readonly plugin: string;
  readonly rcode: number;
  /** `plugin/<name>: <reason>`, as a PluginError's message reads. */
  readonly message: string;
  readonly cause: unknown;
  constructor(plugin: string, rcode: number, reason: string, cause?: unknown) {
    this.plugin = plugin;
    this.rcode = rcode;
    this.message = `plugin/${plugin}: ${reason}`;
    this.cause = cause;
  }
}

/** A handler's result: an rcode, or an expected failure carrying one. */
export type Result = number | PluginFailure;

/** The rcode of a result. */
export function rcodeOf(result: Result): number {
  return typeof result === 'number' ? result : result.rcode;
}

/** What a handler returns: a result now, or later. */
export type Outcome = Result | Promise<Result>;

export interface Handler {
  readonly name: string;
  serveDNS(req: Request, w: ResponseWriter): Outcome;
}

/** Wraps the rest of the chain, like CoreDNS's `plugin.Plugin func(Handler) Handler`. */
export type Plugin = (next: Handler) => Handler;

/**
 * An error that carries the rcode the client should get, for failures that are not expected
 * on the query path (a bad rewrite, a template that fails to render, a detected loop). Thrown or
 * rejected by a handler that wrote nothing; the `errors` plugin logs it and the server writes
 * the error reply. Expected failures use PluginFailure.
 */
export class PluginError extends Error {
  readonly rcode: number;
  readonly plugin: string;
  constructor(plugin: string, rcode: number, message: string, options?: ErrorOptions) {
    super(`plugin/${plugin}: ${message}`, options);
    this.name = 'PluginError';
    this.plugin = plugin;
    this.rcode = rcode;
  }
}
