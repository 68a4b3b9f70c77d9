import type { PluginDefinition } from '../../chain/definition.ts';
import { LineBudget, type SuppressedCounter } from './budget.ts';
import { ErrorsHandler } from './errors.ts';
import { type ErrorsConfig, parseErrors } from './setup.ts';

export const SUPPRESSED_METRIC = 'coredns_nodecache_errors_suppressed_total';

export const errors: PluginDefinition<ErrorsConfig, SuppressedCounter> = {
  name: 'errors',
  init(app) {
    const counter: SuppressedCounter = { suppressed: 0 };
    app.addCollector({
      collect(w) {
        w.family(
          SUPPRESSED_METRIC,
          'Error log lines the errors plugin left out because more than its per-second cap were due.',
          'counter',
        );
        w.sample(SUPPRESSED_METRIC, [], counter.suppressed);
      },
    });
    return counter;
  },
  parse: (d) => parseErrors(d),
  setup(config, ctx) {
    return (next) => {
      const handler = new ErrorsHandler(next, config, ctx.log, new LineBudget(ctx.state));
      ctx.onShutdown(() => handler.flush());
      return handler;
    };
  },
};
