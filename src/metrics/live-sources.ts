/**
 * The counter sources a collector renders, reference-counted by identity: one object added by
 * two configs (a cache store kept across a reload) is rendered once, and when its last holder
 * removes it the collector folds its counters into retired totals, so exported counters never
 * go backwards.
 */
export class LiveSources<S extends { readonly id: object }> {
  readonly #live = new Map<object, { source: S; refs: number }>();

  /** Adds `source`; the returned function removes it, once, and calls `retire` for the last holder. */
  add(source: S, retire: (source: S) => void): () => void {
    const live = this.#live.get(source.id);
    if (live === undefined) this.#live.set(source.id, { source, refs: 1 });
    else live.refs++;
    let removed = false;
    return () => {
      const entry = this.#live.get(source.id);
      if (removed || entry === undefined) return;
      removed = true;
      if (--entry.refs > 0) return;
      this.#live.delete(source.id);
      retire(entry.source);
    };
  }

  *sources(): IterableIterator<S> {
    for (const { source } of this.#live.values()) yield source;
  }
}
