// The App-level services that outlive configs: the metrics registry and the counters behind it,
// HTTP listeners, readiness, health self-fetch, the reload poller and state carried over reloads.
// Each config being loaded gets a StagedServices (SetupContext.app) that collects what its
// plugins ask for; the App commits it when the config goes live, or aborts it.

import type { QueryObserver } from '../chain/definition.ts';
import type { PlannedBlock } from '../config/plan.ts';
import type { HttpAddress } from '../http/address.ts';
import { localUrlHost } from '../http/address.ts';
import { type HttpHandler, HttpPool, StagedRoutes } from '../http/pool.ts';
import { statusPage } from '../http/status-page.ts';
import { CacheCollector, type CacheMetricsSource } from '../metrics/cache.ts';
import { CoreCounters, collectCore } from '../metrics/core.ts';
import { DnsMetrics, rcodeLabel } from '../metrics/dns.ts';
import { CONTENT_TYPE } from '../metrics/exposition.ts';
import { ForwardCollector, type ForwardMetricsSource } from '../metrics/forward.ts';
import { ProcessCollector } from '../metrics/process.ts';
import { MetricsRegistry } from '../metrics/registry.ts';
import { TopStats } from '../metrics/top.ts';
import { corefileHash } from '../plugins/reload/hash.ts';
import { ReloadPoller } from '../plugins/reload/poller.ts';
import type { ReloadConfig } from '../plugins/reload/setup.ts';
import type { RejectObserver } from '../server/dns-server.ts';
import type { Logger } from '../util/log.ts';
import { HealthSelfCheck } from './health-check.ts';
import { type Monitor, Readiness, type ReadinessCheck } from './readiness.ts';

/** What the services need from the App. */
export interface AppDriver {
  readonly serving: Promise<void>;
  selfCheck(timeoutMs: number): Promise<boolean>;
  reload(): Promise<void>;
  readCorefile(): Promise<{ text: string; file: string }>;
  servers(): ReadonlyArray<{ readonly label: string; readonly stats: { readonly panics: number } }>;
  setupErrors(): Readonly<Record<string, number>>;
  /** The port a DNS listener got for a configured `host`, `port` (port 0 resolved). */
  boundPort(host: string, port: number): number | undefined;
}

/** What a plugin may ask for during setup; it takes effect only if its config goes live. */
export interface PluginServices {
  /** An observer counting the block's queries (coredns_dns_*) and feeding /debug/top. */
  dnsObserver(): QueryObserver;
  /** Renders a cache's counters as coredns_cache_*; removed when the config retires. */
  addCacheMetrics(source: CacheMetricsSource): void;
  /** Renders forward's counters as coredns_proxy_* / coredns_forward_*; removed on retire. */
  addForwardMetrics(source: ForwardMetricsSource): void;
  /** A readiness check shown by /ready (e.g. loop). */
  addReadiness(check: ReadinessCheck): void;
  prometheus(address: HttpAddress): void;
  health(address: HttpAddress, lameduckMs: number): void;
  ready(address: HttpAddress, monitor: Monitor): void;
  reload(config: ReloadConfig): void;
  /** The port the DNS listener for `host`, `port` got (resolves port 0); after startup. */
  boundPort(host: string, port: number): number | undefined;
}

export class AppServices {
  readonly registry = new MetricsRegistry();
  readonly counters = new CoreCounters();
  readonly dns = new DnsMetrics();
  readonly cache = new CacheCollector();
  readonly forward = new ForwardCollector();
  readonly process = new ProcessCollector();
  readonly top = new TopStats();
  readonly http: HttpPool;
  readonly readiness: Readiness;
  readonly reloader: ReloadPoller;
  readonly #health: HealthSelfCheck;
  readonly #log: Logger;
  readonly #driver: AppDriver;
  readonly #servers = new Map<string, { readonly panics: number }>();
  #runningHash: string | undefined;
  #lameduckMs = 0;
  #closed = false;
  /** Packets rejected before any chain (zone `dropped`); give it to DnsServer.setZones. */
  readonly rejects: RejectObserver;

  constructor(driver: AppDriver, log: Logger) {
    this.#driver = driver;
    this.#log = log;
    this.http = new HttpPool(log);
    this.readiness = new Readiness(
      (ms) => driver.selfCheck(ms),
      driver.serving,
      log.forPlugin('ready'),
    );
    this.#health = new HealthSelfCheck(this.counters, log.forPlugin('health'));
    this.reloader = new ReloadPoller(
      {
        read: () => driver.readCorefile(),
        reload: () => driver.reload(),
        runningHash: () => this.#runningHash,
        changed: (hash) => {
          this.counters.reloadVersion = hash;
        },
      },
      log.forPlugin('reload'),
    );
    const dns = this.dns;
    this.rejects = {
      rejected(server, transport, family, query, rcode) {
        // Only queries that reached zone choice count, as in CoreDNS (a malformed packet never
        // gets to its ServeDNS).
        if (query !== undefined && query.verdict === 0 && rcode >= 0)
          dns.dropped(server, transport, family, query, rcode);
      },
    };
    this.registry.register({
      collect: (w) =>
        collectCore(w, this.counters, {
          livePanics: () => driver.servers().reduce((n, s) => n + s.stats.panics, 0),
          setupErrors: () => driver.setupErrors(),
        }),
    });
    this.registry.register(this.dns);
    this.registry.register(this.cache);
    this.registry.register({ collect: (w) => this.forward.collect(w, rcodeLabel) });
    this.registry.register(this.process);
    this.process.start();
    this.top.start(() => this.cache.hitTotals());
  }

  stage(): StagedServices {
    return new StagedServices(this);
  }

  /** Applies a config that just went live. Call after its DNS listeners took over. */
  commit(
    staged: StagedServices,
    blocks: readonly PlannedBlock[],
    handlerNames: ReadonlyMap<PlannedBlock, readonly string[]>,
  ): void {
    this.http.commit(staged.routes);
    this.readiness.setChecks(staged.checks.map((check) => ({ check, monitor: staged.monitor })));
    if (staged.readyWanted && !this.#closed) this.readiness.start();
    else this.readiness.stop();
    const health = staged.healthAddress;
    this.#health.target(
      health === undefined
        ? undefined
        : `http://${localUrlHost(health.host, this.http.port(health.key) ?? health.port)}/health`,
    );
    this.#lameduckMs = staged.lameduckMs;
    this.#runningHash = corefileHash(blocks.map((b) => b.source));
    if (staged.reloadConfig !== undefined)
      this.#log.forPlugin('reload').info(`Running configuration SHA512 = ${this.#runningHash}`);
    this.reloader.arm(this.#closed ? undefined : staged.reloadConfig);
    this.counters.pluginEnabled = blocks.flatMap((block) =>
      block.listen.flatMap((host) =>
        block.zones.flatMap((zone) =>
          (handlerNames.get(block) ?? []).map((name) => ({
            server: serverLabel(host, block.port),
            zone,
            name,
          })),
        ),
      ),
    );
    this.top.clusterDomains = [...new Set(blocks.flatMap((b) => b.zones))].filter(
      (z) => z !== '.' && !z.endsWith('.arpa.'),
    );
    this.#foldRetiredServers();
  }

  /** Counts panics of DnsServers that went away, so coredns_panics_total never decreases. */
  #foldRetiredServers(): void {
    const live = new Map(this.#driver.servers().map((s) => [s.label, s.stats]));
    for (const [label, stats] of this.#servers)
      if (live.get(label) !== stats) this.counters.retiredPanics += stats.panics;
    this.#servers.clear();
    for (const [label, stats] of live) this.#servers.set(label, stats);
  }

  boundPort(host: string, port: number): number | undefined {
    return this.#driver.boundPort(host, port);
  }

  /** Counts a reload (poller or SIGUSR1) whose config did not go live. */
  reloadFailed(): void {
    this.counters.reloadFailed++;
  }

  /** First step of a final shutdown: /ready says "Shutting down", then the lameduck wait. */
  async beginShutdown(): Promise<void> {
    this.#closed = true;
    this.reloader.stop();
    this.readiness.beginShutdown();
    if (this.#lameduckMs > 0) {
      this.#log
        .forPlugin('health')
        .info(`Going into lameduck mode for ${this.#lameduckMs / 1000}s`);
      await new Promise((r) => setTimeout(r, this.#lameduckMs));
    }
  }

  /** Last step: closes HTTP listeners and stops every timer. */
  async close(): Promise<void> {
    this.#closed = true;
    this.reloader.stop();
    this.readiness.stop();
    this.#health.stop();
    this.top.stop();
    this.process.stop();
    await this.http.close();
  }

  readonly endpoints: Readonly<
    Record<'metrics' | 'top' | 'status' | 'health' | 'ready', HttpHandler>
  > = {
    metrics: (_req, res) => {
      const body = this.registry.render((err) =>
        this.#log.error(`metrics collector failed: ${(err as Error).message}`),
      );
      res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(body);
    },
    top: (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(this.top.report()));
    },
    status: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(statusPage());
    },
    health: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('OK');
    },
    ready: (_req, res) => this.readiness.respond(res),
  };
}

function serverLabel(host: string, port: number): string {
  return `dns://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** One config's requests, applied by AppServices.commit or dropped by abort. */
export class StagedServices implements PluginServices {
  readonly #app: AppServices;
  readonly routes = new StagedRoutes();
  readonly checks: ReadinessCheck[] = [];
  readonly #removals: Array<() => void> = [];
  monitor: Monitor = 'until-ready';
  readyWanted = false;
  healthAddress: HttpAddress | undefined;
  lameduckMs = 0;
  reloadConfig: ReloadConfig | undefined;

  constructor(app: AppServices) {
    this.#app = app;
  }

  dnsObserver(): QueryObserver {
    const slots = this.#app.dns.observer();
    const top = this.#app.top;
    return {
      finished(req, w, rcode, durationMs) {
        slots.finished(req, w, rcode, durationMs);
        top.record(req, w, rcode, durationMs);
      },
    };
  }

  addCacheMetrics(source: CacheMetricsSource): void {
    this.#removals.push(this.#app.cache.add(source));
  }

  addForwardMetrics(source: ForwardMetricsSource): void {
    this.#removals.push(this.#app.forward.add(source));
  }

  addReadiness(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  prometheus(address: HttpAddress): void {
    const e = this.#app.endpoints;
    this.routes.add(address, '/metrics', e.metrics);
    this.routes.add(address, '/debug/top', e.top);
    this.routes.add(address, '/', e.status);
    this.routes.add(address, '/status', e.status);
  }

  health(address: HttpAddress, lameduckMs: number): void {
    this.routes.add(address, '/health', this.#app.endpoints.health);
    this.healthAddress ??= address;
    this.lameduckMs = Math.max(this.lameduckMs, lameduckMs);
  }

  ready(address: HttpAddress, monitor: Monitor): void {
    this.routes.add(address, '/ready', this.#app.endpoints.ready);
    this.readyWanted = true;
    if (monitor === 'continuously') this.monitor = monitor;
  }

  reload(config: ReloadConfig): void {
    this.reloadConfig ??= config;
  }

  boundPort(host: string, port: number): number | undefined {
    return this.#app.boundPort(host, port);
  }

  /** Binds the HTTP addresses this config adds (throws: the config must not go live). */
  prepare(): Promise<void> {
    return this.#app.http.prepare(this.routes);
  }

  async abort(): Promise<void> {
    this.retire();
    await this.#app.http.abort(this.routes);
  }

  /** The config retired: its metric sources fold into the totals. */
  retire(): void {
    for (const remove of this.#removals.splice(0)) remove();
  }
}
