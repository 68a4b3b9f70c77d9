// What an App is given and what it offers: the contract between the DNS agent (src/app.ts) and
// the code that drives it (cli.ts, the node agent, worker threads, tests).

import type { AppServices } from '../lifecycle/services.ts';
import type { InterceptionState, SetupErrorType } from '../node/types.ts';
import type { TcpLimits } from '../server/tcp-limits.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger, LogSettings } from '../util/log.ts';
import type { PeerMesh } from './peers.ts';
import type { WorkerPool } from './workers.ts';

export interface AppOptions {
  /** Corefile path; read at start and at every reload. */
  readonly corefilePath?: string;
  /** Corefile text instead of a path (tests); `reload(text)` replaces it. */
  readonly corefileText?: string;
  /** The file name the text came from (imports resolve next to it); default `Corefile`. */
  readonly corefileFile?: string;
  /** Port for server block keys without one (`-dns.port`); default 53. */
  readonly dnsPort?: number;
  readonly pidfile?: string;
  readonly log?: Logger;
  /** Longest wait for in-flight queries on stop and on a retired config; default 5 s. */
  readonly drainMs?: number;
  /** TCP listener limits (docs/limits.md); defaults as DEFAULT_TCP_LIMITS. */
  readonly tcpLimits?: Partial<TcpLimits>;
  /**
   * Threads serving DNS, this one included (`-workers`); default 1. The others are worker
   * threads with their own sockets on the same addresses (src/app/workers.ts).
   */
  readonly workers?: number;
  /** How worker threads log (they cannot share this thread's logger); default text at info. */
  readonly workerLog?: LogSettings;
  /** Wait before starting a dead worker thread again; default 500 ms. */
  readonly workerRestartMs?: number;
  /** False in a worker thread: DNS only, no HTTP, no process-wide work. Default true. */
  readonly primary?: boolean;
  /** A worker thread's ports to the other threads (the main thread makes its own). */
  readonly peers?: PeerMesh;
  /** Ports to bind per `host|port` key instead of the configured one (a worker given port 0). */
  readonly listenPorts?: () => ReadonlyMap<string, number>;
  /**
   * The clock plugins read (cache TTLs, snapshots); tests inject one. Default: the system's, and
   * always the system's in worker threads (a clock does not cross threads).
   */
  readonly clock?: Clock;
}

export interface App {
  /** Resolves once every listener is bound and answered a self-query through its UDP socket. */
  readonly serving: Promise<void>;
  /** Loads the Corefile again (or `text`) and swaps it in; on error the old config keeps running. */
  reload(text?: string, file?: string): Promise<void>;
  /** Stops accepting, drains in-flight queries (bounded), closes everything. */
  stop(): Promise<void>;
  /** Self-query every UDP listener; true when all answered within `timeoutMs`. */
  selfCheck(timeoutMs?: number): Promise<boolean>;
  /** Bound listeners (ports resolved when the Corefile said 0). */
  listeners(): Array<{ host: string; port: number }>;
  setSetupErrors(counts: Readonly<Record<SetupErrorType, number>>): void;
  /** The node agent's view of the rules and interface (status page, metrics). */
  setInterception(state: InterceptionState): void;
  readonly setupErrors: Readonly<Record<SetupErrorType, number>>;
  /** Metrics registry, HTTP listeners and the plugins' App-lifetime state (lifecycle/services.ts). */
  readonly services: AppServices;
  /** The worker threads beside this one (`workers` > 1), once the first config is live. */
  readonly workerPool: WorkerPool | undefined;
}
