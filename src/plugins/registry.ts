// Every directive the agent understands, and the chain order: the one place that names plugins
// (CoreDNS's plugin.cfg). The framework gets PLUGINS as a parameter and never imports a plugin
// folder; a new plugin adds its import and its name to the PLUGINS list below, and takes the
// place DIRECTIVES already holds for it (or gets one there, at its plugin.cfg position).

import type { PluginDefinition } from '../chain/definition.ts';
import { bind } from './bind/index.ts';
import { bufsize } from './bufsize/index.ts';
import { cache } from './cache/index.ts';
import { debug } from './debug/index.ts';
import { dns64 } from './dns64/index.ts';
import { dnstap } from './dnstap/index.ts';
import { errors } from './errors/index.ts';
import { forward } from './forward/index.ts';
import { health } from './health/index.ts';
import { hosts } from './hosts/index.ts';
import { loadbalance } from './loadbalance/index.ts';
import { log } from './log/index.ts';
import { loop } from './loop/index.ts';
import { metadata } from './metadata/index.ts';
import { pprof } from './pprof/index.ts';
import { prometheus } from './prometheus/index.ts';
import { ready } from './ready/index.ts';
import { reload } from './reload/index.ts';
import { rewrite } from './rewrite/index.ts';
import { template } from './template/index.ts';
import { trace } from './trace/index.ts';
import { whoami } from './whoami/index.ts';

// Method parameters are bivariant, so each plugin's own config type fits `unknown` here; the
// planner keeps every config next to the definition that parsed it.
type AnyDefinition = PluginDefinition<unknown>;

/**
 * The chain order, after CoreDNS's plugin.cfg: a query meets the handlers in this order whatever
 * order the Corefile lists them in. Directives that only configure the server (reload, bind,
 * ready, health) have no handler and are here so that their position is explicit. Names without
 * a plugin yet keep their place for when one is added.
 */
export const DIRECTIVES = [
  'metadata',
  'reload',
  'bufsize',
  'bind',
  'debug',
  'trace',
  'ready',
  'health',
  'pprof',
  'prometheus',
  'errors',
  'log',
  'dnstap',
  'dns64',
  'loadbalance',
  'cache',
  'rewrite',
  'template',
  'hosts',
  'loop',
  'forward',
  'whoami',
] as const;

export const PLUGINS: ReadonlyMap<string, AnyDefinition> = inChainOrder([
  bind,
  bufsize,
  cache,
  debug,
  dns64,
  dnstap,
  errors,
  forward,
  health,
  hosts,
  loadbalance,
  log,
  loop,
  metadata,
  pprof,
  prometheus,
  ready,
  reload,
  rewrite,
  template,
  trace,
  whoami,
]);

/** The definitions by name, in chain order (the planner walks the map in this order). */
function inChainOrder(definitions: readonly AnyDefinition[]): ReadonlyMap<string, AnyDefinition> {
  const order = DIRECTIVES as readonly string[];
  for (const d of definitions)
    if (!order.includes(d.name)) throw new Error(`plugin ${d.name} has no place in DIRECTIVES`);
  const byName = new Map(definitions.map((d) => [d.name, d]));
  return new Map(order.flatMap((name) => byName.get(name) ?? []).map((d) => [d.name, d]));
}
