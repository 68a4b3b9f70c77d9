import type { PluginDefinition } from '../../chain/definition.ts';
import { type HealthConfig, parseHealth } from './setup.ts';

/** `/health` answers 200 OK while the process runs; the HTTP listener is shared per address. */
export const health: PluginDefinition<HealthConfig> = {
  name: 'health',
  parse: (d) => parseHealth(d),
  setup(config, ctx) {
    ctx.app.health(config.address, config.lameduckMs);
    return undefined;
  },
};
