// The `pprof` directive: /debug/pprof/ (runtime figures), /debug/pprof/profile,
// /debug/pprof/allocs and /debug/pprof/heap on a loopback HTTP listener while the config is live.

import type { PluginDefinition } from '../../chain/definition.ts';
import { PprofEndpoints } from './endpoints.ts';
import { RuntimeStats } from './runtime-stats.ts';
import { type PprofConfig, parsePprof } from './setup.ts';

export const pprof: PluginDefinition<PprofConfig> = {
  name: 'pprof',
  parse: (d) => parsePprof(d),
  setup(config, ctx) {
    const stats = new RuntimeStats();
    ctx.onShutdown(() => stats.stop());
    const endpoints = new PprofEndpoints(stats);
    ctx.addHttpHandler(config.address, '/debug/pprof/', endpoints.index);
    ctx.addHttpHandler(config.address, '/debug/pprof', endpoints.index);
    ctx.addHttpHandler(config.address, '/debug/pprof/profile', endpoints.profile);
    ctx.addHttpHandler(config.address, '/debug/pprof/allocs', endpoints.allocs);
    ctx.addHttpHandler(config.address, '/debug/pprof/heap', endpoints.heap);
    return undefined;
  },
};
