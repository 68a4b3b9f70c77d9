// The reload poller (CoreDNS plugin/reload): every INTERVAL ± JITTER/2 read the Corefile, parse
// it and compare its hash with the running config's; on a change ask the app to reload. A file
// that fails (to parse, plan or bind) is tried once: the same content is not retried until it
// changes again. One poller per process, armed by the config now running.

import { createHash } from 'node:crypto';
import { parseCorefile } from '../../corefile/parse.ts';
import type { Logger } from '../../util/log.ts';
import { corefileHash } from './hash.ts';
import type { ReloadConfig } from './setup.ts';

export interface ReloadDriver {
  read(): Promise<{ text: string; file: string }>;
  /** Loads the file again; rejects when the new config did not go live. */
  reload(): Promise<void>;
  /** Hash of the running config. */
  runningHash(): string | undefined;
  /** Called after a detected change went live (coredns_reload_version_info). */
  changed(hash: string): void;
}

export class ReloadPoller {
  readonly #driver: ReloadDriver;
  readonly #log: Logger;
  #config: ReloadConfig | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failedHash: string | undefined;
  #busy = false;

  constructor(driver: ReloadDriver, log: Logger) {
    this.#driver = driver;
    this.#log = log;
  }

  /** Arms (or re-arms with a new period) for the config that just went live; undefined disarms. */
  arm(config: ReloadConfig | undefined, random = Math.random): void {
    this.stop();
    this.#config = config;
    if (config === undefined) return;
    const periodMs = config.intervalMs + (random() - 0.5) * config.jitterMs;
    this.#timer = setInterval(() => void this.poll(), periodMs).unref();
  }

  get periodArmed(): boolean {
    return this.#timer !== undefined;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One poll; exported for tests and run by the timer. */
  async poll(): Promise<void> {
    if (this.#busy || this.#config === undefined) return;
    this.#busy = true;
    try {
      let hash: string;
      let source: { text: string; file: string };
      try {
        source = await this.#driver.read();
      } catch (err) {
        this.#log.warning(`Corefile could not be read: ${(err as Error).message}`);
        return;
      }
      try {
        hash = corefileHash(parseCorefile(source.text, source.file).blocks);
      } catch (err) {
        // CoreDNS only warns here; we also count it once, as a reload that failed.
        hash = `unparsable:${createHash('sha512').update(source.text).digest('hex')}`;
        if (hash === this.#failedHash) return;
        this.#log.warning(`Corefile parse failed: ${(err as Error).message}`);
      }
      if (hash === this.#driver.runningHash() || hash === this.#failedHash) return;
      try {
        await this.#driver.reload();
        this.#failedHash = undefined;
        this.#driver.changed(hash);
      } catch (err) {
        this.#failedHash = hash;
        this.#log.error(`Corefile changed but reload failed: ${(err as Error).message}`);
      }
    } finally {
      this.#busy = false;
    }
  }
}
