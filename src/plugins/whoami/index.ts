import type { PluginDefinition } from '../../chain/definition.ts';
import { parseWhoami } from './setup.ts';
import { WhoamiHandler } from './whoami.ts';

export const whoami: PluginDefinition<Record<string, never>> = {
  name: 'whoami',
  parse: (d) => parseWhoami(d),
  setup: () => () => new WhoamiHandler(),
};
