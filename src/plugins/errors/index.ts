import type { PluginDefinition } from '../../chain/definition.ts';
import { ErrorsHandler } from './errors.ts';
import { type ErrorsConfig, parseErrors } from './setup.ts';

export const errors: PluginDefinition<ErrorsConfig> = {
  name: 'errors',
  parse: (d) => parseErrors(d),
  setup(config, ctx) {
    return (next) => {
      const handler = new ErrorsHandler(next, config, ctx.log);
      ctx.onShutdown(() => handler.flush());
      return handler;
    };
  },
};
