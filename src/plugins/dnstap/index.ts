// The `dnstap` directive: each line gets its own Frame Streams connection and handler, chained
// in line order (CoreDNS allows several). The connection opens at startup and closes with the
// config, sending STOP first.

import type { PluginDefinition } from '../../chain/definition.ts';
import { DnstapHandler, PLUGIN_NAME } from './dnstap.ts';
import { FrameStreamWriter } from './framestream.ts';
import { type DnstapConfig, parseDnstap } from './setup.ts';

export const dnstap: PluginDefinition<DnstapConfig> = {
  name: PLUGIN_NAME,
  repeatable: true,
  parse: (d) => parseDnstap(d),
  setup(config, ctx) {
    const out = new FrameStreamWriter(config.endpoint, ctx.log);
    ctx.onStartup(() => out.start());
    ctx.onShutdown(() => out.close());
    return (next) => new DnstapHandler(next, config, out);
  },
};
