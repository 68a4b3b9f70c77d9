// The cache hand-over of a rolling upgrade. The new agent starts beside the old one and loads the
// snapshot of the last shutdown; the old agent writes a fresh one when it stops, moments later.
// For a while after start the new agent watches the file and merges what it lacks, so the old
// agent's cache is not lost with it.

import { unwatchFile, watchFile } from 'node:fs';
import { type Clock, SYSTEM_CLOCK } from '../../util/clock.ts';
import type { Logger } from '../../util/log.ts';
import { mergeSnapshot } from './persist.ts';
import type { CacheConfig } from './setup.ts';
import type { CacheStore } from './store.ts';

/** How long after start a rewritten snapshot counts as a hand-over (the upgrade's overlap). */
export const HANDOVER_WINDOW_MS = 120_000;
const POLL_MS = 500;

/** Watches `path` for the window; returns the function that stops watching. */
export function watchHandover(
  store: CacheStore,
  config: CacheConfig,
  path: string,
  log: Logger,
  clock: Clock = SYSTEM_CLOCK,
  windowMs = HANDOVER_WINDOW_MS,
): () => void {
  const listener = (current: { mtimeMs: number }, previous: { mtimeMs: number }): void => {
    if (current.mtimeMs > previous.mtimeMs)
      mergeSnapshot(store, config, path, log, clock.wallMs(), clock.monotonicMs());
  };
  watchFile(path, { interval: POLL_MS, persistent: false }, listener);
  const stop = (): void => {
    clearTimeout(timer);
    unwatchFile(path, listener);
  };
  const timer = setTimeout(stop, windowMs);
  timer.unref();
  return stop;
}
