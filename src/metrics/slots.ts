// Per-`server` counter objects for subsystems that count per listener (cache, forward). The hot
// path finds its object by comparing the request's server label by identity (the label is one
// string per listener), so a lookup is a short loop, not a hash of a composite key.

export class ServerSlots<T> {
  #items: Array<{ readonly server: string; readonly value: T }> = [];
  readonly #create: () => T;

  constructor(create: () => T) {
    this.#create = create;
  }

  /** The counters for `server` (`req.server`), created on first use. */
  get(server: string): T {
    const items = this.#items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as { readonly server: string; readonly value: T };
      if (item.server === server) return item.value;
    }
    const value = this.#create();
    this.#items = [...items, { server, value }];
    return value;
  }

  entries(): ReadonlyArray<{ readonly server: string; readonly value: T }> {
    return this.#items;
  }
}
