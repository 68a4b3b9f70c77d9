// One config's requests to the App-level services: HTTP routes, readiness checks, collectors
// and the hooks that belong to the config as a whole. They take effect when AppServices.commit
// makes the config live, and are dropped by abort when it never does.

import type { Hook } from '../chain/app-scope.ts';
import type { ReadinessCheck } from '../chain/definition.ts';
import type { HttpAddress } from '../http/address.ts';
import { type HttpHandler, type HttpPool, StagedRoutes } from '../http/pool.ts';
import type { Collector, MetricsRegistry } from '../metrics/registry.ts';
import type { Logger } from '../util/log.ts';

export class StagedServices {
  readonly routes = new StagedRoutes();
  /** Undefined in a worker thread: HTTP routes are the main thread's. */
  readonly #http: HttpPool | undefined;
  readonly #registry: MetricsRegistry;
  readonly #boundPort: (host: string, port: number) => number | undefined;
  /** What each plugin's init returned (its setups' ctx.state). */
  readonly stateOf: (plugin: string) => unknown;
  readonly #checks: ReadinessCheck[] = [];
  readonly #collectors: Collector[] = [];
  readonly #removals: Array<() => void> = [];
  readonly #replaced: Array<() => void> = [];
  readonly #finalShutdown: Hook[] = [];
  /** Per plugin name: the object its lines share in this config (ConfigScope.shared). */
  readonly #shared = new Map<string, unknown>();

  constructor(
    http: HttpPool | undefined,
    registry: MetricsRegistry,
    boundPort: (host: string, port: number) => number | undefined,
    stateOf: (plugin: string) => unknown,
  ) {
    this.stateOf = stateOf;
    this.#http = http;
    this.#registry = registry;
    this.#boundPort = boundPort;
  }

  addHttpHandler(address: HttpAddress, path: string, handler: HttpHandler): void {
    if (this.#http !== undefined) this.routes.add(address, path, handler);
  }

  addReadiness(check: ReadinessCheck): void {
    this.#checks.push(check);
  }

  readinessChecks(): readonly ReadinessCheck[] {
    return this.#checks;
  }

  addCollector(collector: Collector): void {
    this.#collectors.push(collector);
  }

  onReplaced(hook: () => void): void {
    this.#replaced.push(hook);
  }

  onFinalShutdown(hook: Hook): void {
    this.#finalShutdown.push(hook);
  }

  shared<T>(plugin: string, create: () => T): T {
    if (!this.#shared.has(plugin)) this.#shared.set(plugin, create());
    return this.#shared.get(plugin) as T;
  }

  boundPort(host: string, port: number): number | undefined {
    return this.#boundPort(host, port);
  }

  /** Binds the HTTP addresses this config adds (throws: the config must not go live). */
  async prepare(): Promise<void> {
    await this.#http?.prepare(this.routes);
  }

  /** The config went live: its collectors render from now on. */
  goLive(): void {
    for (const c of this.#collectors) this.#removals.push(this.#registry.register(c));
  }

  /** A newer config went live in this one's place. */
  replaced(): void {
    for (const hook of this.#replaced.splice(0)) hook();
  }

  /** The process stops while this config is live. */
  async finalShutdown(log: Logger): Promise<void> {
    for (const hook of this.#finalShutdown.splice(0)) {
      try {
        await hook();
      } catch (err) {
        log.error(`final shutdown hook failed: ${(err as Error).message}`);
      }
    }
  }

  async abort(): Promise<void> {
    this.retire();
    await this.#http?.abort(this.routes);
  }

  /** The config retired: its collectors go. */
  retire(): void {
    for (const remove of this.#removals.splice(0)) remove();
  }
}
