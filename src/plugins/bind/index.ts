import type { PluginDefinition } from '../../chain/definition.ts';
import { type BindConfig, parseBind } from './setup.ts';

/** `bind` only says where the block listens; the planner asks it and the app opens the sockets. */
export const bind: PluginDefinition<BindConfig> = {
  name: 'bind',
  repeatable: true,
  parse: (d) => parseBind(d),
  listenAddresses: (config) => config.addresses,
  setup: () => undefined,
};
