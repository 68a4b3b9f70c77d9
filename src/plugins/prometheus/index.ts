import type { PluginDefinition } from '../../chain/definition.ts';
import type { HttpHandler } from '../../http/pool.ts';
import { statusPage } from '../../http/status-page.ts';
import { CONTENT_TYPE } from '../../metrics/exposition.ts';
import { DnsMetrics } from './dns-metrics.ts';
import { NodeReport } from './node-report.ts';
import { type PrometheusConfig, parsePrometheus } from './setup.ts';
import { TopStats } from './top.ts';
import { UpstreamHealth } from './upstream-health.ts';

interface PrometheusState {
  readonly dns: DnsMetrics;
  readonly top: TopStats;
  readonly endpoints: Readonly<Record<'metrics' | 'top' | 'status', HttpHandler>>;
}

/**
 * Counts the block's queries and serves /metrics, /debug/top and the status page on ADDRESS
 * (the last two elsewhere or nowhere with `status ADDRESS|off`).
 * Counting happens in an observer the server calls after each query; the handler itself only
 * passes the query on, so it shows in coredns_plugin_enabled as CoreDNS's does. The counters
 * (coredns_dns_*, /debug/top) live for the App, as CoreDNS's process-global ones do, and
 * /metrics renders every collector any plugin or the framework registered.
 */
export const prometheus: PluginDefinition<PrometheusConfig, PrometheusState> = {
  name: 'prometheus',
  init(app) {
    const dns = new DnsMetrics();
    const top = new TopStats();
    app.addCollector(dns);
    app.addRejectedQueryObserver({
      rejected(server, transport, family, query, rcode) {
        // Only queries that reached zone choice count, as in CoreDNS (a malformed packet never
        // gets to its ServeDNS).
        if (query !== undefined && query.verdict === 0 && rcode >= 0)
          dns.dropped(server, transport, family, query, rcode);
      },
    });
    const upstreams = new UpstreamHealth();
    const node = new NodeReport();
    top.start(() => app.hitCounts());
    app.onClose(() => top.stop());
    const status: HttpHandler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(statusPage());
    };
    return {
      dns,
      top,
      endpoints: {
        metrics: async (_req, res) => {
          const exposition = await app.renderMetrics();
          res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(exposition);
        },
        top: async (_req, res) => {
          const exposition = await app.renderMetrics();
          res
            .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
            .end(
              JSON.stringify({
                ...top.report(),
                upstreams: upstreams.observe(exposition),
                node: node.observe(exposition),
              }),
            );
        },
        status,
      },
    };
  },
  parse: (d) => parsePrometheus(d),
  setup({ address, status }, ctx) {
    const { dns, top, endpoints } = ctx.state;
    ctx.addHttpHandler(address, '/metrics', endpoints.metrics);
    if (status !== 'off') {
      const at = status ?? address;
      if (at.key !== address.key) ctx.addHttpHandler(at, '/metrics', endpoints.metrics);
      ctx.addHttpHandler(at, '/debug/top', endpoints.top);
      ctx.addHttpHandler(at, '/', endpoints.status);
      ctx.addHttpHandler(at, '/status', endpoints.status);
    }
    const slots = dns.observer();
    ctx.addObserver({
      finished(req, w, rcode, durationMs) {
        slots.finished(req, w, rcode, durationMs);
        top.record(req, w, rcode, durationMs);
      },
    });
    ctx.config.shared(() => {
      // /debug/top's search-list analysis needs the cluster domains: the config's own zones.
      ctx.onStartup(() => {
        top.clusterDomains = ctx.config.zones.filter((z) => z !== '.' && !z.endsWith('.arpa.'));
      });
      return true;
    });
    return (next) => ({ name: 'prometheus', serveDNS: (req, w) => next.serveDNS(req, w) });
  },
};
