// The App-level services that outlive configs, behind the generic plugin API
// (chain/definition.ts, chain/app-scope.ts): the metrics registry with the framework's own
// families, the shared HTTP listener pool, each plugin's App-lifetime state (what its `init`
// returned) and the hooks plugins registered. Each config being loaded gets a StagedServices
// that collects what its plugins ask for; the App commits it when the config goes live, or
// aborts it. Nothing here knows a plugin: the plugins come in as a list of definitions.

import type {
  HitCounts,
  Hook,
  PeerChannel,
  PluginApp,
  RejectedQueryObserver,
} from '../chain/app-scope.ts';
import type { PluginDefinition } from '../chain/definition.ts';
import { serverLabel } from '../chain/server-label.ts';
import type { PlannedBlock } from '../config/plan.ts';
import { HttpPool } from '../http/pool.ts';
import { CoreCounters, collectCore } from '../metrics/core.ts';
import type { Family } from '../metrics/exposition.ts';
import { renderFamilies } from '../metrics/exposition.ts';
import { mergeFamilies } from '../metrics/merge.ts';
import { ProcessCollector } from '../metrics/process.ts';
import { MetricsRegistry } from '../metrics/registry.ts';
import type { InterceptionState } from '../node/types.ts';
import type { Logger } from '../util/log.ts';
import { StagedServices } from './staged.ts';

export { StagedServices } from './staged.ts';

/** What the services need from the App. */
export interface AppDriver {
  readonly serving: Promise<void>;
  selfCheck(timeoutMs: number): Promise<boolean>;
  reload(): Promise<void>;
  readCorefile(): Promise<{ text: string; file: string }>;
  servers(): ReadonlyArray<{ readonly label: string; readonly stats: { readonly panics: number } }>;
  setupErrors(): Readonly<Record<string, number>>;
  interception(): InterceptionState | undefined;
  /** The port a DNS listener got for a configured `host`, `port` (port 0 resolved). */
  boundPort(host: string, port: number): number | undefined;
  /** A plugin's channel to its instances on the other threads (src/app/peers.ts); default alone. */
  peerChannel?(plugin: string): PeerChannel;
}

// Method parameters are bivariant, so every plugin's definition fits here.
type AnyDefinition = PluginDefinition<unknown, unknown>;

/** What the other workers' metrics come as (src/app/workers.ts). */
export type RemoteMetrics = () => Promise<ReadonlyArray<ReadonlyMap<string, Family>>>;

/** One thread serving DNS: nobody to ask. */
const ALONE: PeerChannel = {
  self: 0,
  count: 1,
  connected: (peer) => peer === 0,
  ask: () => Promise.reject(new Error('no other threads')),
  answer: () => {},
};

export class AppServices {
  readonly registry = new MetricsRegistry();
  readonly counters = new CoreCounters();
  readonly process = new ProcessCollector();
  readonly http: HttpPool;
  /** Packets rejected before any chain (zone `dropped`); give it to DnsServer.setZones. */
  readonly rejects: RejectedQueryObserver;
  readonly #log: Logger;
  readonly #driver: AppDriver;
  readonly #states = new Map<string, unknown>();
  readonly #rejectObservers: RejectedQueryObserver[] = [];
  readonly #hitCounters: Array<() => HitCounts> = [];
  readonly #closeHooks: Hook[] = [];
  readonly #servers = new Map<string, { readonly panics: number }>();
  /**
   * False in a worker thread (src/app/worker-thread.ts): it serves DNS only. The main thread
   * owns HTTP, the process-wide families and the timers that must run once per process.
   */
  readonly primary: boolean;
  #remote: RemoteMetrics | undefined;
  #live: StagedServices | undefined;

  constructor(plugins: Iterable<AnyDefinition>, driver: AppDriver, log: Logger, primary = true) {
    this.#driver = driver;
    this.#log = log;
    this.primary = primary;
    this.http = new HttpPool(log);
    const observers = this.#rejectObservers;
    this.rejects = {
      rejected(server, transport, family, query, rcode) {
        for (const o of observers) o.rejected(server, transport, family, query, rcode);
      },
    };
    if (primary)
      this.registry.register({
        collect: (w) =>
          collectCore(w, this.counters, {
            livePanics: () => driver.servers().reduce((n, s) => n + s.stats.panics, 0),
            setupErrors: () => driver.setupErrors(),
            interception: () => driver.interception(),
          }),
      });
    for (const definition of plugins)
      this.#states.set(definition.name, definition.init?.(this.#pluginApp(definition.name)));
    if (!primary) return;
    this.registry.register(this.process);
    this.process.start();
  }

  /** The other workers' families, merged into every later renderAllMetrics. */
  setRemoteMetrics(remote: RemoteMetrics | undefined): void {
    this.#remote = remote;
  }

  #pluginApp(name: string): PluginApp {
    const driver = this.#driver;
    return {
      log: this.#log.forPlugin(name),
      primary: this.primary,
      peers: driver.peerChannel?.(name) ?? ALONE,
      serving: driver.serving,
      selfCheck: (ms) => driver.selfCheck(ms),
      readCorefile: () => driver.readCorefile(),
      reload: () => driver.reload(),
      addCollector: (collector) => {
        this.registry.register(collector);
      },
      renderMetrics: () => this.renderAllMetrics(),
      addRejectedQueryObserver: (observer) => {
        this.#rejectObservers.push(observer);
      },
      addHitCounter: (read) => {
        this.#hitCounters.push(read);
      },
      hitCounts: () => this.hitCounts(),
      httpPort: (address) => this.http.port(address.key),
      onClose: (hook) => {
        this.#closeHooks.push(hook);
      },
    };
  }

  /** This thread's collectors only. */
  renderMetrics(): string {
    return renderFamilies(this.localFamilies());
  }

  localFamilies(): Map<string, Family> {
    return this.registry
      .write((err) => this.#log.error(`metrics collector failed: ${(err as Error).message}`))
      .families();
  }

  /** This thread's collectors and every worker's, merged (metrics/merge.ts). */
  async renderAllMetrics(): Promise<string> {
    const local = this.localFamilies();
    if (this.#remote === undefined) return renderFamilies(local);
    let remote: ReadonlyArray<ReadonlyMap<string, Family>> = [];
    try {
      remote = await this.#remote();
    } catch (err) {
      this.#log.error(`worker metrics: ${(err as Error).message}`);
    }
    return renderFamilies(mergeFamilies([local, ...remote]));
  }

  hitCounts(): HitCounts {
    let hits = 0;
    let requests = 0;
    for (const read of this.#hitCounters) {
      const c = read();
      hits += c.hits;
      requests += c.requests;
    }
    return { hits, requests };
  }

  stage(): StagedServices {
    return new StagedServices(
      this.primary ? this.http : undefined,
      this.registry,
      (host, port) => this.#driver.boundPort(host, port),
      (plugin) => this.#states.get(plugin),
    );
  }

  /**
   * Applies a config that just went live. Call after its DNS listeners took over and before its
   * startup hooks: the config it replaces runs its onReplaced hooks first.
   */
  commit(
    staged: StagedServices,
    blocks: readonly PlannedBlock[],
    handlerNames: ReadonlyMap<PlannedBlock, readonly string[]>,
  ): void {
    this.#live?.replaced();
    this.#live = staged;
    this.counters.configLoadedAt = Date.now() / 1000;
    this.http.commit(staged.routes);
    staged.goLive();
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

  /** Counts a reload (poller or SIGUSR1) whose config did not go live. */
  reloadFailed(): void {
    this.counters.reloadFailed++;
  }

  /** First step of a final stop: the live config's onFinalShutdown hooks (lameduck, /ready). */
  async beginShutdown(): Promise<void> {
    await this.#live?.finalShutdown(this.#log);
  }

  /** Last step: the plugins' onClose hooks, then the HTTP listeners and the process collector. */
  async close(): Promise<void> {
    for (const hook of this.#closeHooks.splice(0)) {
      try {
        await hook();
      } catch (err) {
        this.#log.error(`close hook failed: ${(err as Error).message}`);
      }
    }
    if (this.primary) this.process.stop();
    await this.http.close();
  }
}
