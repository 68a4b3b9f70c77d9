import type { RetainedState } from '../chain/definition.ts';

interface Slot {
  value: unknown;
  refs: number;
  dispose: ((value: never) => void | Promise<void>) | undefined;
}

/**
 * The App's reload-surviving state. A reload sets up the new config (acquire) before the old
 * one shuts down (release), so an object both configs use is never disposed in between.
 */
export class RetainedObjects implements RetainedState {
  readonly #slots = new Map<string, Slot>();

  acquire<T>(key: string, create: () => T, dispose?: (value: T) => void | Promise<void>): T {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = { value: create(), refs: 0, dispose: dispose as Slot['dispose'] };
      this.#slots.set(key, slot);
    }
    slot.refs++;
    return slot.value as T;
  }

  async release(key: string): Promise<void> {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    if (--slot.refs > 0) return;
    this.#slots.delete(key);
    await slot.dispose?.(slot.value as never);
  }
}
