import type { PluginDefinition } from '../../chain/definition.ts';
import { type Monitor, Readiness } from './readiness.ts';
import { parseReady, type ReadyConfig } from './setup.ts';

/**
 * `/ready`: 200 once serving is proven by a self-query through the real UDP socket. One
 * Readiness per App (its timers and what it has seen survive reloads); each config that has a
 * `ready` line starts it with that config's readiness checks, `continuously` if any line says so.
 */
interface ReadyState {
  readonly readiness: Readiness;
  /** A worker thread has no /ready; the primary's self-check covers the workers. */
  readonly primary: boolean;
}

export const ready: PluginDefinition<ReadyConfig, ReadyState> = {
  name: 'ready',
  init(app) {
    const readiness = new Readiness((ms) => app.selfCheck(ms), app.serving, app.log);
    app.onClose(() => readiness.stop());
    return { readiness, primary: app.primary };
  },
  parse: (d) => parseReady(d),
  setup(config, ctx) {
    const { readiness, primary } = ctx.state;
    ctx.addHttpHandler(config.address, '/ready', (_req, res) => readiness.respond(res));
    const live = ctx.config.shared(() => {
      const shared: { monitor: Monitor } = { monitor: 'until-ready' };
      ctx.onStartup(() => {
        if (!primary) return;
        const checks = ctx.config.readinessChecks();
        readiness.setChecks(checks.map((check) => ({ check, monitor: shared.monitor })));
        readiness.start();
      });
      ctx.onReplaced(() => readiness.stop());
      ctx.onFinalShutdown(() => readiness.beginShutdown());
      return shared;
    });
    if (config.monitor === 'continuously') live.monitor = 'continuously';
    return undefined;
  },
};
