import type { PluginDefinition } from '../../chain/definition.ts';
import { HostsHandler } from './hosts.ts';
import { HostsGauges } from './metrics.ts';
import { type HostsConfig, parseHosts } from './setup.ts';
import { HostsSource } from './source.ts';

export const hosts: PluginDefinition<HostsConfig> = {
  name: 'hosts',
  parse: (d, block) => parseHosts(d, block),
  setup(config, ctx) {
    const source = new HostsSource(config, ctx.log);
    source.loadNow();
    // One collector per config for all its hosts lines (CoreDNS's gauges have no labels).
    const gauges = ctx.config.shared(() => {
      const created = new HostsGauges();
      ctx.addCollector(created);
      return created;
    });
    gauges.add(source);
    if (config.reloadMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      let checking = false;
      ctx.onStartup(() => {
        timer = setInterval(() => {
          if (checking) return; // a slow read is not stacked up
          checking = true;
          void source.check().finally(() => {
            checking = false;
          });
        }, config.reloadMs);
        timer.unref();
      });
      ctx.onShutdown(() => clearInterval(timer));
    }
    return (next) => new HostsHandler(next, config, source);
  },
};
