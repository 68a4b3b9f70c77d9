// One loaded configuration: the handler chains built from a plan, with their lifecycle hooks.
// A reload builds a new Instance next to the running one and swaps the servers' zone tables.

import type {
  ConfigScope,
  Hook,
  QueryObserver,
  RetainedState,
  SetupContext,
} from '../chain/definition.ts';
import { endOfChain } from '../chain/end-of-chain.ts';
import type { Handler, Request, ResponseWriter } from '../chain/handler.ts';
import type { PlannedBlock } from '../config/plan.ts';
import type { StagedServices } from '../lifecycle/staged.ts';
import type { ZoneRoute } from '../server/dns-server.ts';
import { ZoneTable } from '../server/zones.ts';
import { type Clock, SYSTEM_CLOCK } from '../util/clock.ts';
import type { Logger } from '../util/log.ts';

/** `host|port`: one DnsServer and one UDP+TCP listener pair per key. */
export type ListenKey = string;

export function listenKey(host: string, port: number): ListenKey {
  return `${host}|${port}`;
}

export { serverLabel } from '../chain/server-label.ts';

export class Instance {
  readonly blocks: readonly PlannedBlock[];
  /** Zone tables per listen address, ready to be swapped into DnsServers. */
  readonly tables = new Map<ListenKey, ZoneTable<ZoneRoute>>();
  /** Handler names per block, in query order (CoreDNS's coredns_plugin_enabled). */
  readonly handlerNames = new Map<PlannedBlock, string[]>();
  readonly #startup: Hook[] = [];
  readonly #shutdown: Hook[] = [];
  readonly #log: Logger;
  /** Queries in flight on this config's chains. */
  readonly tracker = { active: 0 };

  readonly #retained: RetainedState;
  readonly #clock: Clock;
  /** What this config's plugins asked of the App (collectors, HTTP routes, readiness, hooks). */
  readonly services: StagedServices;

  constructor(
    blocks: readonly PlannedBlock[],
    log: Logger,
    retained: RetainedState,
    services: StagedServices,
    clock: Clock = SYSTEM_CLOCK,
  ) {
    this.blocks = blocks;
    this.#log = log;
    this.#retained = retained;
    this.services = services;
    this.#clock = clock;
    for (const block of blocks) {
      const route = this.#buildRoute(block);
      this.handlerNames.set(
        block,
        block.plugins.filter((_, i) => route.hasHandler[i]).map((p) => p.definition.name),
      );
      for (const host of block.listen) {
        const key = listenKey(host, block.port);
        let table = this.tables.get(key);
        if (table === undefined) {
          table = new ZoneTable<ZoneRoute>();
          this.tables.set(key, table);
        }
        for (const zone of block.zones) table.add(zone, route);
      }
    }
  }

  #buildRoute(block: PlannedBlock): ZoneRoute & { hasHandler: boolean[] } {
    const observers: QueryObserver[] = [];
    const plugins = block.plugins;
    const services = this.services;
    const setups = plugins.map((p) => {
      const name = p.definition.name;
      const ctx: SetupContext = {
        block: { zones: block.zones, port: block.port, listen: block.listen },
        log: this.#log.forPlugin(name),
        bareLog: this.#log,
        onStartup: (hook) => this.#startup.push(hook),
        onReplaced: (hook) => services.onReplaced(hook),
        onFinalShutdown: (hook) => services.onFinalShutdown(hook),
        onShutdown: (hook) => this.#shutdown.push(hook),
        addObserver: (o) => observers.push(o),
        addCollector: (c) => services.addCollector(c),
        addHttpHandler: (address, path, handler) => services.addHttpHandler(address, path, handler),
        addReadiness: (check) => services.addReadiness(check),
        boundPort: (host, port) => services.boundPort(host, port),
        config: this.#configScope(name),
        retained: this.#retained,
        clock: this.#clock,
        state: services.stateOf(name),
      };
      return { name, plugin: p.definition.setup(p.config, ctx) };
    });
    // Walk backwards so the first directive in chain order wraps all the others.
    let handler: Handler = endOfChain(setups.at(-1)?.name ?? 'server');
    for (let i = setups.length - 1; i >= 0; i--) {
      const { name, plugin } = setups[i] as (typeof setups)[number];
      if (plugin === undefined) continue;
      const next = handler;
      handler = plugin(next);
      if (typeof handler?.serveDNS !== 'function')
        throw new Error(`plugin/${name}: setup did not return a handler`);
    }
    return {
      handler,
      observer: combineObservers(observers),
      tracker: this.tracker,
      hasHandler: setups.map((s) => s.plugin !== undefined),
    };
  }

  #configScope(plugin: string): ConfigScope {
    const services = this.services;
    return {
      sources: this.blocks.map((b) => b.source),
      zones: [...new Set(this.blocks.flatMap((b) => b.zones))],
      readinessChecks: () => services.readinessChecks(),
      shared: (create) => services.shared(plugin, create),
    };
  }

  async start(): Promise<void> {
    for (const hook of this.#startup) await hook();
  }

  /** Resolves once no query runs on this config's chains, or after `boundMs`. */
  async idle(boundMs: number): Promise<void> {
    const deadline = performance.now() + boundMs;
    while (this.tracker.active > 0 && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
  }

  async stop(): Promise<void> {
    for (const hook of this.#shutdown) {
      try {
        await hook();
      } catch (err) {
        this.#log.error(`shutdown hook failed: ${(err as Error).message}`);
      }
    }
    this.services.retire();
  }
}

function combineObservers(observers: readonly QueryObserver[]): QueryObserver | undefined {
  if (observers.length <= 1) return observers[0];
  return {
    finished(req: Request, w: ResponseWriter, rcode: number, durationMs: number) {
      for (const o of observers) o.finished(req, w, rcode, durationMs);
    },
  };
}
