// What every plugin folder exports from its index.ts, and what setup gets to work with.

import type { DirectiveReader } from '../corefile/model.ts';
import type { PluginServices } from '../lifecycle/services.ts';
import type { Logger } from '../util/log.ts';
import type { Plugin, Request, ResponseWriter } from './handler.ts';

/** Sees every finished query of a block (metrics); must be cheap and must not throw. */
export interface QueryObserver {
  finished(req: Request, w: ResponseWriter, rcode: number, durationMs: number): void;
}

/** Facts about the server block a directive appears in. */
export interface BlockInfo {
  /** Normalised zones of the block's keys (`cluster.local.`, `.`). */
  readonly zones: readonly string[];
  readonly port: number;
  /** Listen addresses ('' = every address); known at setup, not while parsing. */
  readonly listen?: readonly string[];
}

export type Hook = () => void | Promise<void>;

export interface SetupContext {
  readonly block: BlockInfo;
  /** Already prefixed `plugin/<name>: `. */
  readonly log: Logger;
  /** Without the plugin prefix (the query log prints bare lines, as CoreDNS's does). */
  readonly bareLog: Logger;
  /** Runs once the servers of this config are listening. */
  onStartup(hook: Hook): void;
  /** Runs when this config is retired (reload or shutdown); timers and sockets close here. */
  onShutdown(hook: Hook): void;
  /** Registers an observer of every query this block finishes. */
  addObserver(observer: QueryObserver): void;
  /**
   * State that outlives a reload, owned by the App: a plugin keeps what should survive a config
   * swap here (the cache keeps its entries when its own config did not change). Keys should
   * start with the plugin name.
   */
  readonly retained: RetainedState;
  /** App-level services (metrics, HTTP endpoints, readiness, reload); see lifecycle/services.ts. */
  readonly app: PluginServices;
}

/** Reference-counted objects shared across configs; released ones are disposed. */
export interface RetainedState {
  /** Returns the object under `key`, creating it with `create` when absent, and holds one reference. */
  acquire<T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>): T;
  /** Drops one reference; the last one disposes the object. */
  release(key: string): Promise<void>;
}

export interface PluginDefinition<Config> {
  readonly name: string;
  /** Pure: tokens → typed config. Throws CorefileError (file:line) on bad input. */
  parse(d: DirectiveReader, block: BlockInfo): Config;
  /** Builds the handler; undefined for directives that only configure the server (bind, health…). */
  setup(config: Config, ctx: SetupContext): Plugin | undefined;
  /** True when the plugin may appear more than once in a block (CoreDNS: bind, forward, log). */
  readonly repeatable?: boolean;
  /**
   * For repeatable plugins whose lines form one handler (log rules): combines the configs of all
   * lines of a block before setup. Without it, each line gets its own handler, in line order.
   */
  merge?(configs: readonly Config[]): Config;
}
