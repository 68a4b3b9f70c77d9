// What every plugin folder exports from its index.ts, and what setup gets to work with.

import type { DirectiveReader } from '../corefile/model.ts';
import type { Logger } from '../util/log.ts';
import type { Plugin } from './handler.ts';

/** Facts about the server block a directive appears in. */
export interface BlockInfo {
  /** Normalised zones of the block's keys (`cluster.local.`, `.`). */
  readonly zones: readonly string[];
  readonly port: number;
}

export type Hook = () => void | Promise<void>;

export interface SetupContext {
  readonly block: BlockInfo;
  /** Already prefixed `plugin/<name>: `. */
  readonly log: Logger;
  /** Runs once the servers of this config are listening. */
  onStartup(hook: Hook): void;
  /** Runs when this config is retired (reload or shutdown); timers and sockets close here. */
  onShutdown(hook: Hook): void;
}

export interface PluginDefinition<Config> {
  readonly name: string;
  /** Pure: tokens → typed config. Throws CorefileError (file:line) on bad input. */
  parse(d: DirectiveReader, block: BlockInfo): Config;
  /** Builds the handler; undefined for directives that only configure the server (bind, health…). */
  setup(config: Config, ctx: SetupContext): Plugin | undefined;
  /** True when the plugin may appear more than once in a block (CoreDNS: bind, forward, log). */
  readonly repeatable?: boolean;
}
