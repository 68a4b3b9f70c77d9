import type { PluginDefinition } from '../../chain/definition.ts';
import { localUrlHost } from '../../http/address.ts';
import { HealthCounters, HealthSelfCheck } from './self-check.ts';
import { type HealthConfig, parseHealth } from './setup.ts';

interface HealthState {
  readonly counters: HealthCounters;
  readonly selfCheck: HealthSelfCheck;
  /** The port a configured address got (port 0 resolved). */
  readonly httpPort: (address: HealthConfig['address']) => number | undefined;
  /** Only the primary thread fetches /health (a worker thread has no HTTP listener). */
  readonly primary: boolean;
}

/**
 * `/health` answers 200 OK while the process runs; the HTTP listener is shared per address. The
 * config's first health address is fetched every second (coredns_health_*); the longest
 * lameduck of its lines is waited on a final stop, while DNS still answers.
 */
export const health: PluginDefinition<HealthConfig, HealthState> = {
  name: 'health',
  init(app) {
    const counters = new HealthCounters();
    const selfCheck = new HealthSelfCheck(counters, app.log);
    app.addCollector(counters);
    app.onClose(() => selfCheck.stop());
    return {
      counters,
      selfCheck,
      httpPort: (address) => app.httpPort(address),
      primary: app.primary,
    };
  },
  parse: (d) => parseHealth(d),
  setup(config, ctx) {
    ctx.addHttpHandler(config.address, '/health', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('OK');
    });
    const state = ctx.state;
    const live = ctx.config.shared(() => {
      const first = { address: config.address, lameduckMs: 0 };
      ctx.onStartup(() => {
        if (!state.primary) return;
        const port = state.httpPort(first.address) ?? first.address.port;
        state.selfCheck.target(`http://${localUrlHost(first.address.host, port)}/health`);
      });
      ctx.onReplaced(() => state.selfCheck.target(undefined));
      ctx.onFinalShutdown(async () => {
        if (first.lameduckMs <= 0) return;
        ctx.log.info(`Going into lameduck mode for ${first.lameduckMs / 1000}s`);
        await new Promise((r) => setTimeout(r, first.lameduckMs));
      });
      return first;
    });
    live.lameduckMs = Math.max(live.lameduckMs, config.lameduckMs);
    return undefined;
  },
};
