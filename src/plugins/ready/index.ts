import type { PluginDefinition } from '../../chain/definition.ts';
import { parseReady, type ReadyConfig } from './setup.ts';

/** `/ready`: 200 once serving is proven by a self-query through the real UDP socket. */
export const ready: PluginDefinition<ReadyConfig> = {
  name: 'ready',
  parse: (d) => parseReady(d),
  setup(config, ctx) {
    ctx.app.ready(config.address, config.monitor);
    return undefined;
  },
};
