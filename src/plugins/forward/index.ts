// The `forward` directive: parse, then one handler per line; several lines chain in order.

import type { PluginDefinition } from '../../chain/definition.ts';
import { endOfChain } from '../../chain/end-of-chain.ts';
import { rcodeLabel } from '../../metrics/rcode-label.ts';
import { type ForwardConfig, PLUGIN_NAME } from './config.ts';
import { ForwardHandler } from './forward.ts';
import { ForwardCollector, registerForwardMetrics } from './metrics.ts';
import { parseForward } from './setup.ts';

export type { ForwardConfig } from './config.ts';
export { ForwardHandler } from './forward.ts';

export const forward: PluginDefinition<ForwardConfig, ForwardCollector> = {
  name: PLUGIN_NAME,
  repeatable: true,
  init(app) {
    // App-lifetime, so coredns_proxy_* never go backwards across reloads.
    const collector = new ForwardCollector();
    app.addCollector({ collect: (w) => collector.collect(w, rcodeLabel) });
    return collector;
  },
  parse: parseForward,
  setup(config, ctx) {
    // Built here rather than in the chain callback so its sockets are closed with the config.
    const handler = new ForwardHandler(config, ctx.log, endOfChain(PLUGIN_NAME));
    ctx.onShutdown(() => handler.close());
    registerForwardMetrics(handler, ctx);
    return (next) => {
      handler.next = next;
      return handler;
    };
  },
};
