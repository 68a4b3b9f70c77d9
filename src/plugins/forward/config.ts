// The typed result of parsing one `forward` line, with CoreDNS's defaults.

import type { UpstreamAddress } from '../../upstream/address.ts';
import type { TlsClientOptions } from '../../upstream/tls.ts';

export const PLUGIN_NAME = 'forward';

export const POLICIES = ['random', 'round_robin', 'sequential'] as const;
export type Policy = (typeof POLICIES)[number];

/** CoreDNS refuses more upstreams than this in one forward line. */
export const MAX_UPSTREAMS = 15;

export interface HealthCheckConfig {
  /** Pause between probes while an upstream is failing, ms (default 500). */
  readonly intervalMs: number;
  /** RD on the probe; `no_rec` clears it. */
  readonly recursionDesired: boolean;
  /** Probe name, normalised (default `.`). */
  readonly domain: string;
}

/** One TO: its address, and whether it was given as `tls://` (DNS over TLS, default port 853). */
export interface ForwardTarget extends UpstreamAddress {
  readonly tls: boolean;
}

export const TLS_PORT = 853;

export interface ForwardConfig {
  /** The zone forwarded, normalised (lower case, trailing dot). */
  readonly from: string;
  readonly to: readonly ForwardTarget[];
  /** `tls` and `tls_servername`, used by the `tls://` upstreams only (as in CoreDNS). */
  readonly tls: TlsClientOptions;
  /** Zones at or below which queries go to the next plugin instead. */
  readonly except: readonly string[];
  readonly forceTcp: boolean;
  readonly preferUdp: boolean;
  /** Idle time after which a pooled connection is not reused, ms (default 10 s). */
  readonly expireMs: number;
  /** An upstream is down when consecutive failed health checks exceed this (default 2; 0 = never). */
  readonly maxFails: number;
  readonly healthCheck: HealthCheckConfig;
  readonly policy: Policy;
  /** Most queries in flight before REFUSED; 0 = no limit. */
  readonly maxConcurrent: number;
  /** Rcodes that hand the query to the next forward line. */
  readonly next: readonly number[];
  /** Rcodes that make the query try the next upstream. */
  readonly failover: readonly number[];
  readonly failfastAllUnhealthyUpstreams: boolean;
  /** Most failed upstream exchanges per query; 0 = no cap. */
  readonly maxConnectAttempts: number;
}

export const DEFAULT_EXPIRE_MS = 10_000;
export const DEFAULT_MAX_FAILS = 2;
export const DEFAULT_HEALTH_CHECK_MS = 500;
