import type { PluginDefinition } from '../../chain/definition.ts';
import { parseReload, type ReloadConfig } from './setup.ts';

/** Arms the process-wide Corefile poller (the first block's settings win, as in CoreDNS). */
export const reload: PluginDefinition<ReloadConfig> = {
  name: 'reload',
  parse: (d) => parseReload(d),
  setup(config, ctx) {
    ctx.app.reload(config);
    return undefined;
  },
};
