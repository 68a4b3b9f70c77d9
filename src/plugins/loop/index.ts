import type { PluginDefinition } from '../../chain/definition.ts';
import { LoopHandler } from './loop.ts';
import { parseLoop } from './setup.ts';

export const loop: PluginDefinition<Record<string, never>> = {
  name: 'loop',
  parse: (d) => parseLoop(d),
  setup(_config, ctx) {
    return (next) => {
      const handler = new LoopHandler(next, ctx.block.zones[0] ?? '.', ctx.log);
      ctx.addReadiness({ name: 'loop', ready: () => handler.ready() });
      ctx.onStartup(() => {
        const host = ctx.block.listen?.[0] ?? '';
        const port = ctx.boundPort(host, ctx.block.port) ?? ctx.block.port;
        // In the background: startup must not wait for the probe.
        void handler.run(host, port);
      });
      ctx.onShutdown(() => handler.stop());
      return handler;
    };
  },
};
