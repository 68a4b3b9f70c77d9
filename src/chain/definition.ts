// The plugin API, after CoreDNS's caddy.Controller: what every plugin folder exports from its
// index.ts, and the generic services its setup gets. Nothing here knows any plugin: a plugin
// registers collectors, HTTP handlers, readiness checks and lifecycle hooks, and keeps its own
// state, through these interfaces; the App implements them (src/lifecycle, src/app).

import type { DirectiveReader, ServerBlock } from '../corefile/model.ts';
import type { HttpAddress } from '../http/address.ts';
import type { HttpHandler } from '../http/pool.ts';
import type { Collector } from '../metrics/registry.ts';
import type { Clock } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';
import type { PluginApp } from './app-scope.ts';
import type { Plugin, Request, ResponseWriter } from './handler.ts';

export type { Hook, PluginApp, RejectedQueryObserver } from './app-scope.ts';

/** Sees every finished query of a block (metrics); must be cheap and must not throw. */
export interface QueryObserver {
  finished(req: Request, w: ResponseWriter, rcode: number, durationMs: number): void;
}

/** A condition /ready waits for (CoreDNS's ready.Readiness), e.g. loop's probe. */
export interface ReadinessCheck {
  readonly name: string;
  ready(): boolean;
}

/** Facts about the server block a directive appears in. */
export interface BlockInfo {
  /** Normalised zones of the block's keys (`cluster.local.`, `.`). */
  readonly zones: readonly string[];
  readonly port: number;
  /** Listen addresses ('' = every address); known at setup, not while parsing. */
  readonly listen?: readonly string[];
}

type Hook = () => void | Promise<void>;

/** The config being set up, as a whole (CoreDNS: the caddy instance and its server blocks). */
export interface ConfigScope {
  /** Its server blocks as parsed (imports expanded), in file order. */
  readonly sources: readonly ServerBlock[];
  /** Every zone of every block, normalised, without duplicates. */
  readonly zones: readonly string[];
  /** The readiness checks its plugins added; complete once setup is over (read it at startup). */
  readinessChecks(): readonly ReadinessCheck[];
  /**
   * One object for this plugin in this config, shared by all its lines: the first line creates
   * it (and may register once-per-config hooks there), the others get the same object.
   */
  shared<T>(create: () => T): T;
}

export interface SetupContext<State = unknown> {
  readonly block: BlockInfo;
  /** Already prefixed `plugin/<name>: `. */
  readonly log: Logger;
  /** Without the plugin prefix (the query log prints bare lines, as CoreDNS's does). */
  readonly bareLog: Logger;
  /** Runs once the servers of this config are listening and it is the live config. */
  onStartup(hook: Hook): void;
  /**
   * Runs, synchronously and before the new config's startup hooks, when a newer config went
   * live in this one's place (CoreDNS's OnRestart, but only once the new config is certain).
   */
  onReplaced(hook: () => void): void;
  /** Runs first on a final stop, in chain order, while DNS still answers (lameduck waits). */
  onFinalShutdown(hook: Hook): void;
  /** Runs when this config is retired and drained (reload or stop); timers and sockets close. */
  onShutdown(hook: Hook): void;
  /** Registers an observer of every query this block finishes. */
  addObserver(observer: QueryObserver): void;
  /** A collector rendered on /metrics while this config is live. */
  addCollector(collector: Collector): void;
  /**
   * Serves `path` on the HTTP listener for `address` while this config is live. Listeners are
   * shared: every plugin and block naming the same address gets the same one.
   */
  addHttpHandler(address: HttpAddress, path: string, handler: HttpHandler): void;
  /** A condition /ready waits for. */
  addReadiness(check: ReadinessCheck): void;
  /** The port the DNS listener for `host`, `port` got (resolves port 0); from startup on. */
  boundPort(host: string, port: number): number | undefined;
  /** This config as a whole. */
  readonly config: ConfigScope;
  /**
   * Reference-counted state that outlives a reload, owned by the App: a plugin keeps what
   * should survive a config swap here (the cache keeps its entries when its own config did not
   * change). Keys should start with the plugin name.
   */
  readonly retained: RetainedState;
  /** The clock to read time from (TTLs, snapshots): the system's, or one a test injected. */
  readonly clock: Clock;
  /** What this plugin's `init` returned: its App-lifetime state (undefined without init). */
  readonly state: State;
}

/** Reference-counted objects shared across configs; released ones are disposed. */
export interface RetainedState {
  /** Returns the object under `key`, creating it with `create` when absent, and holds one reference. */
  acquire<T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>): T;
  /** Drops one reference; the last one disposes the object. */
  release(key: string): Promise<void>;
}

export interface PluginDefinition<Config, State = unknown> {
  readonly name: string;
  /**
   * Once per App, before the first config, whether or not a Corefile uses the plugin (CoreDNS's
   * package init): App-lifetime collectors, timers and state. Setup gets the result as ctx.state.
   */
  init?(app: PluginApp): State;
  /** Pure: tokens → typed config. Throws CorefileError (file:line) on bad input. */
  parse(d: DirectiveReader, block: BlockInfo): Config;
  /** Builds the handler; undefined for directives that only configure the server (bind, health…). */
  setup(config: Config, ctx: SetupContext<State>): Plugin | undefined;
  /**
   * For a directive that says where its block listens (CoreDNS's bind sets the config's listen
   * hosts): the addresses one line's config names. The block listens on all of them, in order.
   */
  listenAddresses?(config: Config): readonly string[];
  /** True when the plugin may appear more than once in a block (CoreDNS: bind, forward, log). */
  readonly repeatable?: boolean;
  /**
   * For repeatable plugins whose lines form one handler (log rules): combines the configs of all
   * lines of a block before setup. Without it, each line gets its own handler, in line order.
   */
  merge?(configs: readonly Config[]): Config;
}
