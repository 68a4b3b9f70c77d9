import type { PluginDefinition } from '../../chain/definition.ts';
import type { HttpAddress } from '../../http/address.ts';
import { parsePrometheus } from './setup.ts';

/**
 * Counts the block's queries and serves /metrics, /debug/top and the status page on ADDRESS.
 * Counting happens in an observer the server calls after each query; the handler itself only
 * passes the query on, so it shows in coredns_plugin_enabled as CoreDNS's does.
 */
export const prometheus: PluginDefinition<HttpAddress> = {
  name: 'prometheus',
  parse: (d) => parsePrometheus(d),
  setup(address, ctx) {
    ctx.app.prometheus(address);
    ctx.addObserver(ctx.app.dnsObserver());
    return (next) => ({ name: 'prometheus', serveDNS: (req, w) => next.serveDNS(req, w) });
  },
};
