import type { PluginDefinition } from '../../chain/definition.ts';
import { LogHandler } from './log.ts';
import { type LogRule, parseLog } from './setup.ts';

/** Every `log` line of a block becomes one rule of a single handler, tried in line order. */
export const log: PluginDefinition<readonly LogRule[]> = {
  name: 'log',
  repeatable: true,
  parse: (d, block) => [parseLog(d, block.zones)],
  merge: (configs) => configs.flat(),
  setup: (rules, ctx) => (next) => new LogHandler(next, rules, ctx.bareLog),
};
