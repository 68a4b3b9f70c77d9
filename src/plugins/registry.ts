// Every directive the agent understands, by name. The chain order is not here but in
// chain/directives.ts; this is only the lookup table.

import type { PluginDefinition } from '../chain/definition.ts';
import { bind } from './bind/index.ts';
import { cache } from './cache/index.ts';
import { errors } from './errors/index.ts';
import { forward } from './forward/index.ts';
import { health } from './health/index.ts';
import { hosts } from './hosts/index.ts';
import { log } from './log/index.ts';
import { loop } from './loop/index.ts';
import { prometheus } from './prometheus/index.ts';
import { ready } from './ready/index.ts';
import { reload } from './reload/index.ts';
import { template } from './template/index.ts';

// Method parameters are bivariant, so each plugin's own config type fits `unknown` here; the
// planner keeps every config next to the definition that parsed it.
type AnyDefinition = PluginDefinition<unknown>;

export const PLUGINS: ReadonlyMap<string, AnyDefinition> = new Map<string, AnyDefinition>(
  [bind, cache, errors, forward, health, hosts, log, loop, prometheus, ready, reload, template].map(
    (d) => [d.name, d],
  ),
);
