// `debug` is accepted and changes nothing; see README.md for why panic recovery stays on.

import type { PluginDefinition } from '../../chain/definition.ts';
import { parseDebug } from './setup.ts';

export const debug: PluginDefinition<Record<string, never>> = {
  name: 'debug',
  parse: (d) => parseDebug(d),
  setup: () => undefined,
};
