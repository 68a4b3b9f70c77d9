import type { PluginDefinition } from '../../chain/definition.ts';
import { RewriteHandler } from './rewrite.ts';
import { mergeRewrites, parseRewrite, type RewriteConfig } from './setup.ts';

export const rewrite: PluginDefinition<RewriteConfig> = {
  name: 'rewrite',
  repeatable: true,
  parse: (d) => parseRewrite(d),
  merge: mergeRewrites,
  setup: (config) => (next) => new RewriteHandler(next, config),
};
