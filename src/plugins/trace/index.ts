// The `trace` directive: a span per traced query to a Zipkin collector, batched in the
// background; the reporter sends what is left when the config is retired.

import type { PluginDefinition } from '../../chain/definition.ts';
import { parseTrace, type TraceConfig } from './setup.ts';
import { PLUGIN_NAME, TraceHandler } from './trace.ts';
import { ZipkinReporter } from './zipkin.ts';

export const trace: PluginDefinition<TraceConfig> = {
  name: PLUGIN_NAME,
  parse: (d) => parseTrace(d),
  setup(config, ctx) {
    const reporter = new ZipkinReporter(
      {
        url: config.endpoint,
        maxBacklog: config.maxBacklog,
        maxBatch: config.maxBatch,
        batchIntervalMs: config.batchIntervalMs,
      },
      ctx.log,
    );
    ctx.onShutdown(() => reporter.close());
    const listen = { host: ctx.block.listen?.[0] ?? '', port: ctx.block.port };
    return (next) => new TraceHandler(next, config, reporter, listen);
  },
};
