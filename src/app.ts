// The DNS agent without the node setup: Corefile → plan → chains → listeners, plus reload,
// readiness self-checks and graceful stop. cli.ts and the node agent drive it.

import { randomInt } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { App, AppOptions } from './app/contract.ts';
import { Instance } from './app/instance.ts';
import { ListenerSet } from './app/listeners.ts';
import { PeerMesh } from './app/peers.ts';
import { RetainedObjects } from './app/retained.ts';
import { WorkerPool } from './app/workers.ts';
import { planCorefile } from './config/plan.ts';
import { parseCorefile } from './corefile/parse.ts';
import { AppServices } from './lifecycle/services.ts';
import type { InterceptionState, SetupErrorType } from './node/types.ts';
import { PLUGINS } from './plugins/registry.ts';
import { buildProbe } from './server/probe.ts';
import { DEFAULT_TCP_LIMITS, TcpMetrics } from './server/tcp-limits.ts';
import { createLogger, defaultLogSettings, type Logger } from './util/log.ts';
import { udpExchange } from './util/udp-exchange.ts';

export type { App, AppOptions } from './app/contract.ts';

const DEFAULT_DRAIN_MS = 5000;
const DEFAULT_WORKER_RESTART_MS = 500;

export async function startApp(options: AppOptions): Promise<App> {
  const app = new AgentApp(options);
  await app.load(await app.readCorefile());
  return app;
}

class AgentApp implements App {
  readonly #options: AppOptions;
  readonly #log: Logger;
  readonly #sets = new Map<string, ListenerSet>();
  readonly #retained = new RetainedObjects();
  readonly #tcpMetrics = new TcpMetrics();
  #instance: Instance | undefined;
  #text: string | undefined;
  #file: string;
  #pool: WorkerPool | undefined;
  readonly #mesh: PeerMesh;

  get workerPool(): WorkerPool | undefined {
    return this.#pool;
  }

  #reloadRunning: Promise<void> | undefined;
  #reloadQueued: Promise<void> | undefined;
  /** Old configs and listeners winding down after a swap; stop waits for them. */
  readonly #retiring = new Set<Promise<void>>();
  #stopping: Promise<void> | undefined;
  #servingResolve: () => void = () => {};
  readonly serving: Promise<void>;
  readonly services: AppServices;
  #interception: InterceptionState | undefined;
  setupErrors: Record<SetupErrorType, number> = {
    iptables: 0,
    iptables_lock: 0,
    interface_add: 0,
    interface_check: 0,
    configmap: 0,
  };

  constructor(options: AppOptions) {
    this.#options = options;
    this.#log = options.log ?? createLogger();
    this.#text = options.corefileText;
    this.#file = options.corefileFile ?? 'Corefile';
    this.#mesh = options.peers ?? new PeerMesh(0, Math.max(1, options.workers ?? 1));
    this.serving = new Promise((resolve) => {
      this.#servingResolve = resolve;
    });
    this.services = new AppServices(
      PLUGINS.values(),
      {
        serving: this.serving,
        selfCheck: (ms) => this.selfCheck(ms),
        reload: () => this.reload(),
        readCorefile: () => this.readCorefile(),
        servers: () => [...this.#sets.values()].map((s) => s.server),
        setupErrors: () => this.setupErrors,
        interception: () => this.#interception,
        boundPort: (host, port) => this.#sets.get(`${host}|${port}`)?.port,
        peerChannel: (plugin) => this.#mesh.channel(plugin),
      },
      this.#log,
      options.primary ?? true,
    );
    this.services.registry.register(this.#tcpMetrics);
  }

  async readCorefile(): Promise<{ text: string; file: string }> {
    if (this.#text !== undefined) return { text: this.#text, file: this.#file };
    const path = this.#options.corefilePath;
    if (path === undefined) throw new Error('no Corefile: give corefilePath or corefileText');
    return { text: await readFile(path, 'utf8'), file: path };
  }

  /** Parse, plan and bind a config; swap it in only when everything succeeded. */
  async load(source: { text: string; file: string }): Promise<void> {
    const blocks = planCorefile(parseCorefile(source.text, source.file), PLUGINS, {
      defaultPort: this.#options.dnsPort ?? 53,
    });
    const staged = this.services.stage();
    const next = new Instance(blocks, this.#log, this.#retained, staged, this.#options.clock);
    const created: ListenerSet[] = [];
    try {
      for (const [key, table] of next.tables) {
        if (this.#sets.has(key)) continue;
        const [host = '', port = '0'] = key.split('|');
        const set = new ListenerSet(
          host,
          Number(port),
          table,
          this.#log,
          {
            limits: { ...DEFAULT_TCP_LIMITS, ...this.#options.tcpLimits },
            metrics: this.#tcpMetrics,
          },
          this.#options.listenPorts?.().get(key),
        );
        set.server.hold();
        await set.listen();
        created.push(set);
      }
      await staged.prepare();
    } catch (err) {
      await staged.abort();
      await Promise.all(created.map((s) => s.close(0)));
      await next.stop();
      throw err;
    }
    // Commit: from here on nothing can fail half-way.
    const previous = this.#instance;
    this.#instance = next;
    for (const set of created) this.#sets.set(set.key, set);
    for (const [key, table] of next.tables)
      this.#sets.get(key)?.server.setZones(table, this.services.rejects);
    const retired = [...this.#sets].filter(([key]) => !next.tables.has(key));
    for (const [key] of retired) this.#sets.delete(key);
    this.services.commit(staged, next.blocks, next.handlerNames);
    await next.start();
    for (const set of created) set.server.release();
    await this.#loadWorkers(source);
    this.#afterSwap(
      previous,
      retired.map(([, set]) => set),
    );
    if (previous === undefined) void this.#becomeServing();
  }

  /**
   * The config is live here: the worker threads start on it (the first load) or switch to it,
   * and the reload that brought it resolves only once they all run it.
   */
  async #loadWorkers(source: { text: string; file: string }): Promise<void> {
    const ports = new Map([...this.#sets].map(([key, set]) => [key, set.port]));
    if (this.#pool !== undefined) return this.#pool.load(source, ports);
    const workers = this.#options.workers ?? 1;
    if (workers <= 1) return;
    this.#pool = new WorkerPool(
      {
        extra: workers - 1,
        dnsPort: this.#options.dnsPort ?? 53,
        drainMs: this.#options.drainMs ?? DEFAULT_DRAIN_MS,
        tcpLimits: this.#options.tcpLimits,
        logSettings: this.#options.workerLog ?? defaultLogSettings(),
        restartMs: this.#options.workerRestartMs ?? DEFAULT_WORKER_RESTART_MS,
      },
      source,
      ports,
      this.#mesh,
      this.#log,
    );
    const pool = this.#pool;
    this.services.setRemoteMetrics(() => pool.families());
    this.services.registry.register(pool.collector());
  }

  /** Old listeners and the old config's hooks wind down in the background. */
  #afterSwap(previous: Instance | undefined, retired: ListenerSet[]): void {
    const drainMs = this.#options.drainMs ?? DEFAULT_DRAIN_MS;
    const done = (async () => {
      await Promise.all(retired.map((s) => s.close(drainMs)));
      if (previous !== undefined) {
        await previous.idle(drainMs);
        await previous.stop();
      }
    })().finally(() => this.#retiring.delete(done));
    this.#retiring.add(done);
  }

  async #becomeServing(): Promise<void> {
    for (let attempt = 0; !(await this.selfCheck(1000)); attempt++) {
      if (this.#sets.size === 0) return;
      this.#log.warning(`self-check query not answered yet (attempt ${attempt + 1})`);
    }
    if (this.#options.pidfile !== undefined)
      await writeFile(this.#options.pidfile, `${process.pid}\n`);
    this.#servingResolve();
  }

  /**
   * Reloads run one at a time (the reload plugin and the node agent's ConfigMap sync may ask at
   * once). A request while one runs queues a single follow-up; later requests join it, and it
   * reads the Corefile (or the newest `text`) only when it starts: the last request wins.
   */
  reload(text?: string, file?: string): Promise<void> {
    if (text !== undefined) this.#text = text;
    if (file !== undefined) this.#file = file;
    const running = this.#reloadRunning;
    if (running === undefined) return this.#startReload();
    this.#reloadQueued ??= running.then(
      () => this.#startQueuedReload(),
      () => this.#startQueuedReload(),
    );
    return this.#reloadQueued;
  }

  #startQueuedReload(): Promise<void> {
    this.#reloadQueued = undefined;
    return this.#startReload();
  }

  #startReload(): Promise<void> {
    const run = this.#reloadOnce().finally(() => {
      if (this.#reloadRunning === run) this.#reloadRunning = undefined;
    });
    this.#reloadRunning = run;
    return run;
  }

  async #reloadOnce(): Promise<void> {
    // A reload that got here after stop began would bind listeners and start a config that
    // nothing stops any more; the process would stay alive after stop() resolved.
    if (this.#stopping !== undefined) {
      this.#log.info('reload skipped: shutting down');
      return;
    }
    try {
      await this.load(await this.readCorefile());
    } catch (err) {
      this.services.reloadFailed();
      throw err;
    }
  }

  listeners(): Array<{ host: string; port: number }> {
    return [...this.#sets.values()].map((s) => ({ host: s.host, port: s.port }));
  }

  setSetupErrors(counts: Readonly<Record<SetupErrorType, number>>): void {
    this.setupErrors = { ...counts };
  }

  setInterception(state: InterceptionState): void {
    this.#interception = state;
  }

  async selfCheck(timeoutMs = 1000): Promise<boolean> {
    const results = await Promise.all(
      [...this.#sets.values()].map((s) => probeUdp(s.host, s.port, timeoutMs)),
    );
    // A probe lands on whichever worker's socket the kernel picks, so each worker thread is
    // asked directly whether it serves and answers.
    return results.every(Boolean) && ((await this.#pool?.alive(timeoutMs)) ?? true);
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    // A reload under way finishes first (bounded: binds, parses, starts hooks); one queued
    // behind it is skipped. Then everything it or an earlier swap left winding down is awaited.
    await Promise.allSettled([this.#reloadRunning, this.#reloadQueued]);
    // /ready says "Shutting down" and health's lameduck wait runs while DNS still answers.
    await this.services.beginShutdown();
    const drainMs = this.#options.drainMs ?? DEFAULT_DRAIN_MS;
    const sets = [...this.#sets.values()];
    this.#sets.clear();
    await Promise.all([this.#pool?.stop(), ...sets.map((s) => s.close(drainMs))]);
    this.#mesh.close();
    await this.#instance?.stop();
    this.#instance = undefined;
    await Promise.all([...this.#retiring]);
    await this.services.close();
    if (this.#options.pidfile !== undefined) await rm(this.#options.pidfile, { force: true });
  }
}

/** Sends the self-check probe to a listener; an empty host (every address) means loopback. */
function probeUdp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return udpExchange(
    host === '' ? '127.0.0.1' : host,
    port,
    buildProbe(randomInt(65536)),
    timeoutMs,
  );
}
