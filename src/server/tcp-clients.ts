// Admission for TCP connections: a cap per client address, so one pod's idle sockets cannot
// take the whole listener, and a total cap that, when reached, makes room by closing the
// idlest connection of the client holding the most, so newcomers are not the ones refused.

import type { TcpConnection } from './tcp-connection.ts';
import type { TcpCounters, TcpLimits } from './tcp-limits.ts';

export class TcpClients {
  readonly #byAddress = new Map<string, Set<TcpConnection>>();
  readonly #limits: TcpLimits;
  readonly #counters: TcpCounters;
  #total = 0;

  constructor(limits: TcpLimits, counters: TcpCounters) {
    this.#limits = limits;
    this.#counters = counters;
  }

  get total(): number {
    return this.#total;
  }

  /**
   * Whether a new connection from `address` may open; may close another client's idle
   * connection to make room. A refusal is counted here.
   */
  admit(address: string): boolean {
    const held = this.#byAddress.get(address)?.size ?? 0;
    if (held >= this.#limits.maxConnectionsPerClient) {
      this.#counters.closed.client_limit++;
      return false;
    }
    if (this.#total < this.#limits.maxConnections) return true;
    const victim = this.#idlestOfBiggestHolder();
    if (victim === undefined) {
      this.#counters.closed.connection_limit++;
      return false;
    }
    victim.close('evicted');
    this.remove(victim); // its 'close' event comes later; the slot is free now
    return true;
  }

  add(conn: TcpConnection): void {
    let set = this.#byAddress.get(conn.address);
    if (set === undefined) {
      set = new Set();
      this.#byAddress.set(conn.address, set);
    }
    set.add(conn);
    this.#total++;
    this.#counters.open++;
  }

  /** Forgets `conn`; safe to call twice. */
  remove(conn: TcpConnection): void {
    const set = this.#byAddress.get(conn.address);
    if (set === undefined || !set.delete(conn)) return;
    if (set.size === 0) this.#byAddress.delete(conn.address);
    this.#total--;
    this.#counters.open--;
  }

  *all(): IterableIterator<TcpConnection> {
    for (const set of this.#byAddress.values()) yield* set;
  }

  /** Holders from the biggest down; the first with a connection that has nothing in flight. */
  #idlestOfBiggestHolder(): TcpConnection | undefined {
    const holders = [...this.#byAddress.values()].sort((a, b) => b.size - a.size);
    for (const set of holders) {
      let idlest: TcpConnection | undefined;
      for (const conn of set)
        if (conn.idle && (idlest === undefined || conn.lastQueryAt < idlest.lastQueryAt))
          idlest = conn;
      if (idlest !== undefined) return idlest;
    }
    return undefined;
  }
}
