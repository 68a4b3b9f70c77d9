// The hosts file and inline entries behind one `hosts` line. The file is read at setup and then
// re-read when a check (every `reload` interval) sees its modification time or size change, as
// CoreDNS does; a file that cannot be read keeps the last entries served.

import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Logger } from '../../util/log.ts';
import type { HostsConfig } from './setup.ts';
import { type HostsTable, parseHostsText } from './table.ts';

interface Stamp {
  readonly mtimeMs: number;
  readonly size: number;
}

export class HostsSource {
  readonly #config: HostsConfig;
  readonly #log: Logger;
  readonly #inline: HostsTable;
  #table: HostsTable;
  #stamp: Stamp | undefined;
  /** Unix seconds of the last successful read of the file (0 before any). */
  reloadedAt = 0;

  constructor(config: HostsConfig, log: Logger) {
    this.#config = config;
    this.#log = log;
    this.#inline = parseHostsText(config.inline.join('\n'), this.#options());
    this.#table = this.#inline;
  }

  get table(): HostsTable {
    return this.#table;
  }

  /** First read, at setup; a missing file is a warning, as in CoreDNS. */
  loadNow(): void {
    let stamp: Stamp;
    try {
      const s = statSync(this.#config.path);
      if (s.isDirectory()) {
        this.#log.warning(`Hosts file "${this.#config.path}" is a directory`);
        return;
      }
      stamp = { mtimeMs: s.mtimeMs, size: s.size };
      this.#install(readFileSync(this.#config.path, 'latin1'), stamp);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.#log.warning(
        code === 'ENOENT'
          ? `File does not exist: ${this.#config.path}`
          : `Cannot read hosts file ${this.#config.path}: ${(err as Error).message}`,
      );
    }
  }

  /** Re-reads the file when it changed; true when new entries were installed. */
  async check(): Promise<boolean> {
    try {
      const s = await stat(this.#config.path);
      if (s.isDirectory()) return false;
      const stamp = { mtimeMs: s.mtimeMs, size: s.size };
      if (this.#stamp?.mtimeMs === stamp.mtimeMs && this.#stamp.size === stamp.size) return false;
      this.#install(await readFile(this.#config.path, 'latin1'), stamp);
      return true;
    } catch {
      return false; // gone or unreadable: keep serving what we have
    }
  }

  #install(text: string, stamp: Stamp): void {
    const table = parseHostsText(text, this.#options());
    table.append(this.#inline);
    this.#table = table;
    this.#stamp = stamp;
    this.reloadedAt = Math.floor(Date.now() / 1000);
    this.#log.debug(`Parsed hosts file into ${table.entries} entries`);
  }

  #options(): { zones: readonly string[]; reverse: boolean } {
    return { zones: this.#config.zones, reverse: this.#config.reverse };
  }
}
