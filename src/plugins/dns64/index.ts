import type { PluginDefinition } from '../../chain/definition.ts';
import { Dns64Handler } from './dns64.ts';
import { Dns64Counters } from './metrics.ts';
import { type Dns64Config, parseDns64 } from './setup.ts';

export const dns64: PluginDefinition<Dns64Config, Dns64Counters> = {
  name: 'dns64',
  init(app) {
    const counters = new Dns64Counters();
    app.addCollector(counters);
    return counters;
  },
  parse: (d) => parseDns64(d),
  setup: (config, ctx) => (next) => new Dns64Handler(next, config, ctx.state),
};
