// The worker threads that serve DNS beside the main thread (`-workers N`): the main thread is
// worker 0 and keeps the node side, HTTP and reload; each other worker is a whole App of its own
// (src/app/worker-thread.ts) on the same Corefile, with its own SO_REUSEPORT sockets on the same
// addresses, so the kernel spreads clients over all of them. The pool starts them, hands every
// Corefile that went live on the main thread to each, collects their metrics for a scrape,
// answers for their liveness, and starts a worker again when one dies.

import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { Family } from '../metrics/exposition.ts';
import type { Collector } from '../metrics/registry.ts';
import type { TcpLimits } from '../server/tcp-limits.ts';
import type { Logger, LogSettings } from '../util/log.ts';
import type { PeerMesh } from './peers.ts';

/** What a worker thread is started with (its workerData). */
export interface WorkerInit {
  readonly index: number;
  readonly text: string;
  readonly file: string;
  readonly dnsPort: number;
  readonly drainMs: number;
  readonly tcpLimits: Partial<TcpLimits> | undefined;
  readonly log: LogSettings;
  /** The ports the main thread bound per `host|port` key (port 0 resolved). */
  readonly ports: ReadonlyMap<string, number>;
  /** Threads serving DNS, the main thread included. */
  readonly count: number;
  /** A MessagePort to each thread already running, by its index (src/app/peers.ts). */
  readonly peers: ReadonlyArray<readonly [number, MessagePort]>;
}

/** A new thread's port, sent to each thread already running (no reply). */
export interface PeerPortMessage {
  readonly type: 'peer';
  readonly peer: number;
  readonly port: MessagePort;
}

export type ToWorker =
  | {
      readonly id: number;
      readonly type: 'load';
      readonly text: string;
      readonly file: string;
      readonly ports: ReadonlyMap<string, number>;
    }
  | { readonly id: number; readonly type: 'metrics' }
  | { readonly id: number; readonly type: 'ping' }
  | { readonly id: number; readonly type: 'stop' };

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export type FromWorker =
  | { readonly type: 'serving' }
  | {
      readonly type: 'reply';
      readonly id: number;
      readonly value?: unknown;
      readonly error?: string;
    };

export interface PoolSettings {
  /** Threads besides the main one. */
  readonly extra: number;
  readonly dnsPort: number;
  readonly drainMs: number;
  readonly tcpLimits: Partial<TcpLimits> | undefined;
  readonly logSettings: LogSettings;
  /** Wait before starting a dead worker again. */
  readonly restartMs: number;
}

/** A metrics request a worker does not answer in this long is left out of the scrape. */
const METRICS_TIMEOUT_MS = 2000;
/** Bound on a worker's own stop beyond the drain; then it is terminated. */
const STOP_GRACE_MS = 3000;

const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './worker-thread.ts' : './worker-thread.js',
  import.meta.url,
);

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

class Slot {
  readonly index: number;
  worker: Worker | undefined;
  serving = false;
  /** Called when the worker reports it serves (alive() waits on this within its bound). */
  readonly onServing = new Set<() => void>();
  readonly pending = new Map<number, Pending>();
  /** The counters and histograms it showed at the last scrape, kept when it dies. */
  lastFamilies: ReadonlyMap<string, Family> | undefined;

  constructor(index: number) {
    this.index = index;
  }
}

export class WorkerPool {
  readonly #settings: PoolSettings;
  readonly #log: Logger;
  readonly #slots: Slot[];
  /** Counters and histograms of workers that died: folded in so no counter goes backwards. */
  readonly #retired: Array<ReadonlyMap<string, Family>> = [];
  #source: { text: string; file: string };
  #ports: ReadonlyMap<string, number>;
  readonly #mesh: PeerMesh;
  #nextId = 1;
  #stopping = false;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Workers started again after dying (nodelocaldns_worker_restarts_total). */
  restarts = 0;

  constructor(
    settings: PoolSettings,
    source: { text: string; file: string },
    ports: ReadonlyMap<string, number>,
    mesh: PeerMesh,
    log: Logger,
  ) {
    this.#mesh = mesh;
    this.#settings = settings;
    this.#source = source;
    this.#ports = ports;
    this.#log = log;
    this.#slots = Array.from({ length: settings.extra }, (_, i) => new Slot(i + 1));
    for (const slot of this.#slots) this.#spawn(slot);
  }

  /** The pool's own families, rendered on the main thread. */
  collector(): Collector {
    return {
      collect: (w) => {
        w.family('nodelocaldns_workers', 'Threads serving DNS, the main thread included.', 'gauge');
        w.sample('nodelocaldns_workers', [], this.#slots.length + 1);
        w.family(
          'nodelocaldns_workers_serving',
          'Threads serving DNS now, the main thread included.',
          'gauge',
        );
        w.sample(
          'nodelocaldns_workers_serving',
          [],
          1 + this.#slots.filter((s) => s.serving).length,
        );
        w.family(
          'nodelocaldns_worker_restarts_total',
          'Worker threads started again after they died.',
          'counter',
        );
        w.sample('nodelocaldns_worker_restarts_total', [], this.restarts);
      },
    };
  }

  #spawn(slot: Slot): void {
    const s = this.#settings;
    const init: WorkerInit = {
      index: slot.index,
      text: this.#source.text,
      file: this.#source.file,
      dnsPort: s.dnsPort,
      drainMs: s.drainMs,
      tcpLimits: s.tcpLimits,
      log: s.logSettings,
      ports: this.#ports,
      count: this.#slots.length + 1,
      peers: this.#peerPorts(slot),
    };
    const worker = new Worker(ENTRY, {
      workerData: init,
      transferList: init.peers.map(([, port]) => port),
      name: `dns-worker-${slot.index}`,
    });
    slot.worker = worker;
    slot.serving = false;
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'serving') {
        slot.serving = true;
        for (const resolve of slot.onServing) resolve();
        slot.onServing.clear();
        return;
      }
      const pending = slot.pending.get(m.id);
      if (pending === undefined) return;
      slot.pending.delete(m.id);
      if (m.error !== undefined) pending.reject(new Error(m.error));
      else pending.resolve(m.value);
    });
    worker.on('error', (err) => this.#log.error(`worker ${slot.index}: ${err.message}`));
    worker.on('exit', (code) => this.#exited(slot, worker, code));
  }

  /** One channel between the new thread and each running one: the main thread and live workers. */
  #peerPorts(slot: Slot): Array<[number, MessagePort]> {
    const toMain = new MessageChannel();
    this.#mesh.connect(slot.index, toMain.port2);
    const ports: Array<[number, MessagePort]> = [[0, toMain.port1]];
    for (const other of this.#slots) {
      if (other === slot || other.worker === undefined) continue;
      const channel = new MessageChannel();
      const message: PeerPortMessage = { type: 'peer', peer: slot.index, port: channel.port2 };
      other.worker.postMessage(message, [channel.port2]);
      ports.push([other.index, channel.port1]);
    }
    return ports;
  }

  #exited(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    this.#mesh.disconnect(slot.index);
    slot.worker = undefined;
    slot.serving = false;
    for (const p of slot.pending.values()) p.reject(new Error(`worker ${slot.index} exited`));
    slot.pending.clear();
    if (slot.lastFamilies !== undefined) this.#retired.push(countersOnly(slot.lastFamilies));
    slot.lastFamilies = undefined;
    if (this.#stopping) return;
    this.#log.error(
      `worker ${slot.index} exited (code ${code}); starting it again in ${this.#settings.restartMs} ms`,
    );
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopping) return;
      this.restarts++;
      this.#spawn(slot);
    }, this.#settings.restartMs);
    this.#timers.add(timer);
  }

  #ask(slot: Slot, message: WithoutId<ToWorker>, timeoutMs?: number): Promise<unknown> {
    const worker = slot.worker;
    if (worker === undefined) return Promise.reject(new Error(`worker ${slot.index} is down`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (timeoutMs !== undefined)
        timer = setTimeout(() => {
          slot.pending.delete(id);
          reject(new Error(`worker ${slot.index} did not answer in ${timeoutMs} ms`));
        }, timeoutMs);
      slot.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      worker.postMessage({ ...message, id });
    });
  }

  /**
   * Hands a Corefile that went live on the main thread to every worker, and resolves when each
   * runs it. A worker that cannot load it (it loaded on the main thread, so this is a bug or a
   * resource failure) is started again on it, so no worker keeps serving an older config.
   */
  async load(
    source: { text: string; file: string },
    ports: ReadonlyMap<string, number>,
  ): Promise<void> {
    this.#source = source;
    this.#ports = ports;
    await Promise.all(
      this.#slots.map(async (slot) => {
        if (slot.worker === undefined) return; // a restart picks up the new source
        try {
          await this.#ask(slot, { type: 'load', ...source, ports });
        } catch (err) {
          if (slot.worker === undefined) return;
          this.#log.error(
            `worker ${slot.index}: reload failed (${(err as Error).message}); restarting it`,
          );
          await slot.worker.terminate();
        }
      }),
    );
  }

  /** Each live worker's families; a worker that is down or slow is left out. */
  async families(): Promise<Array<ReadonlyMap<string, Family>>> {
    const live = await Promise.all(
      this.#slots.map(async (slot) => {
        try {
          const families = (await this.#ask(slot, { type: 'metrics' }, METRICS_TIMEOUT_MS)) as Map<
            string,
            Family
          >;
          slot.lastFamilies = families;
          return [families];
        } catch {
          return [];
        }
      }),
    );
    return [...this.#retired, ...live.flat()];
  }

  /** True when every worker serves and answers a message within `timeoutMs`. */
  async alive(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    const answers = await Promise.all(
      this.#slots.map(async (slot) => {
        if (!(await servingWithin(slot, timeoutMs))) return false;
        try {
          await this.#ask(slot, { type: 'ping' }, Math.max(1, deadline - performance.now()));
          return true;
        } catch {
          return false;
        }
      }),
    );
    return answers.every(Boolean);
  }

  /** Ends worker `index` (1-based) at once, as a crash would; it is started again. */
  async kill(index: number): Promise<void> {
    await this.#slots[index - 1]?.worker?.terminate();
  }

  /** Each worker drains and closes its sockets (bounded), then the threads end. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const bound = this.#settings.drainMs + STOP_GRACE_MS;
    await Promise.all(
      this.#slots.map(async (slot) => {
        const worker = slot.worker;
        if (worker === undefined) return;
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        try {
          await this.#ask(slot, { type: 'stop' }, bound);
        } catch (err) {
          this.#log.error(`worker ${slot.index}: ${(err as Error).message}; terminating it`);
        }
        await worker.terminate();
        await exited;
      }),
    );
  }
}

function servingWithin(slot: Slot, timeoutMs: number): Promise<boolean> {
  if (slot.serving) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      slot.onServing.delete(done);
      resolve(slot.serving);
    };
    const timer = setTimeout(done, timeoutMs);
    slot.onServing.add(done);
  });
}

/** A dead worker's families that must not go backwards: counters and histograms. */
function countersOnly(families: ReadonlyMap<string, Family>): Map<string, Family> {
  return new Map([...families].filter(([, f]) => f.type !== 'gauge'));
}
