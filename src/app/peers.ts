// The threads serving DNS talk to each other over one MessagePort per pair (src/app/workers.ts
// wires them). A plugin gets a channel named after itself (PluginApp.peers): it can ask another
// thread's instance of the same plugin something and get its answer, and answer what others ask.
// The cache uses it so a key has one owner thread (plugins/cache/peer-cache.ts). With one
// thread the mesh has no ports and nothing here runs.

import type { MessagePort } from 'node:worker_threads';
import type { PeerChannel } from '../chain/app-scope.ts';

type Answer = (body: unknown, from: number) => unknown;

type Wire =
  | { readonly kind: 'ask'; readonly id: number; readonly channel: string; readonly body: unknown }
  | {
      readonly kind: 'reply';
      readonly id: number;
      readonly body?: unknown;
      readonly error?: string;
    };

interface Pending {
  readonly peer: number;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export class PeerMesh {
  /** This thread's index: 0 for the main thread. */
  readonly self: number;
  /** Threads serving DNS, this one included. */
  readonly count: number;
  readonly #ports = new Map<number, MessagePort>();
  readonly #answers = new Map<string, Answer>();
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(self: number, count: number) {
    this.self = self;
    this.count = count;
  }

  /** Uses `port` for `peer` from now on (a restarted thread gets a new one). */
  connect(peer: number, port: MessagePort): void {
    this.disconnect(peer);
    this.#ports.set(peer, port);
    port.on('message', (m: Wire) => this.#receive(peer, port, m));
    port.on('close', () => {
      if (this.#ports.get(peer) === port) this.disconnect(peer);
    });
  }

  /** Drops `peer`'s port; what was asked of it fails, so askers fall back to working alone. */
  disconnect(peer: number): void {
    const port = this.#ports.get(peer);
    if (port === undefined) return;
    this.#ports.delete(peer);
    port.close();
    for (const [id, p] of this.#pending)
      if (p.peer === peer) {
        this.#pending.delete(id);
        p.reject(new Error(`thread ${peer} went away`));
      }
  }

  connected(peer: number): boolean {
    return peer === this.self || this.#ports.has(peer);
  }

  channel(name: string): PeerChannel {
    return {
      self: this.self,
      count: this.count,
      connected: (peer) => this.connected(peer),
      ask: (to, body) => this.#ask(name, to, body),
      answer: (handler) => {
        this.#answers.set(name, handler);
      },
    };
  }

  #ask(channel: string, to: number, body: unknown): Promise<unknown> {
    const port = this.#ports.get(to);
    if (port === undefined) return Promise.reject(new Error(`no port to thread ${to}`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { peer: to, resolve, reject });
      port.postMessage({ kind: 'ask', id, channel, body } satisfies Wire);
    });
  }

  #receive(peer: number, port: MessagePort, m: Wire): void {
    if (m.kind === 'reply') {
      const p = this.#pending.get(m.id);
      if (p === undefined) return;
      this.#pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.body);
      return;
    }
    const answer = this.#answers.get(m.channel);
    const reply = (r: Omit<Extract<Wire, { kind: 'reply' }>, 'kind' | 'id'>): void => {
      if (this.#ports.get(peer) === port) port.postMessage({ kind: 'reply', id: m.id, ...r });
    };
    if (answer === undefined) {
      reply({ error: `no ${m.channel} here` });
      return;
    }
    Promise.resolve()
      .then(() => answer(m.body, peer))
      .then(
        (body) => reply({ body }),
        (err: unknown) => reply({ error: err instanceof Error ? err.message : String(err) }),
      );
  }

  close(): void {
    for (const peer of [...this.#ports.keys()]) this.disconnect(peer);
  }
}
