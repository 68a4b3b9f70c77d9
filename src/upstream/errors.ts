// Why an exchange with an upstream failed. The forward loop treats every one of these as "try the
// next upstream"; only some of them say the upstream itself may be broken (see `suspectsUpstream`).

export type UpstreamErrorCode =
  /** The TCP connect failed (refused, unreachable) or did not finish in time. */
  | 'ERR_UPSTREAM_CONNECT'
  /** No answer before the read deadline. */
  | 'ERR_UPSTREAM_TIMEOUT'
  /** The connection closed, or the socket failed, with the query in flight. */
  | 'ERR_UPSTREAM_CLOSED'
  /** The answer did not parse as a DNS message. */
  | 'ERR_UPSTREAM_BAD_ANSWER'
  /** Every connection to this upstream is at its in-flight cap. */
  | 'ERR_UPSTREAM_BUSY'
  /** The upstream was shut down (config retired). */
  | 'ERR_UPSTREAM_SHUTDOWN';

export class UpstreamError extends Error {
  readonly code: UpstreamErrorCode;
  /** The upstream as `IP:port`. */
  readonly upstream: string;
  constructor(code: UpstreamErrorCode, upstream: string, message: string, options?: ErrorOptions) {
    // Expected on every query of an outage: skip capturing a stack trace nobody reads.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${message} (upstream ${upstream})`, options);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'UpstreamError';
    this.code = code;
    this.upstream = upstream;
  }

  /** True when the failure points at the upstream (CoreDNS starts a health check for these). */
  get suspectsUpstream(): boolean {
    return this.code !== 'ERR_UPSTREAM_BUSY' && this.code !== 'ERR_UPSTREAM_SHUTDOWN';
  }
}
