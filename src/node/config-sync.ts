// Renders the Corefile from the template and the kube-dns ConfigMap, and keeps it in sync by
// polling both (node-cache: every 10 s). A rendering is parsed and planned before it is written, so
// `-conf` only ever holds a config the server accepts: invalid input is logged (with the template's
// or ConfigMap key's file and line) and counted (`configmap`) once per change, and the last good
// config keeps serving and stays on disk for the next start. Unlike node-cache, a ConfigMap that
// is invalid at start is still polled, so fixing it takes effect without a restart.
// A refused rendering is retried on every poll, not only when template or ConfigMap change: it
// can fail on something outside both (the resolv.conf its forward line reads missing or empty),
// and when that comes back the update goes in by itself. The same failure is counted once.

import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Corefile } from '../corefile/model.ts';
import { parseCorefile } from '../corefile/parse.ts';
import { applyTemplate, printCorefile, type TemplateParams } from '../corefile/template.ts';
import {
  EMPTY_KUBE_DNS_CONFIG,
  type KubeDnsConfig,
  parseKubeDnsConfig,
  readConfigDir,
} from '../kube/configmap.ts';
import type { Logger } from '../util/log.ts';
import { errorText } from './reconciler.ts';
import type { SetupErrorSink } from './types.ts';

export interface ConfigSyncOptions {
  readonly baseCorefile: string;
  readonly corefilePath: string;
  readonly kubeDnsConfigDir: string | undefined;
  readonly params: Omit<TemplateParams, 'upstreamNameservers' | 'stubDomains'>;
  readonly intervalMs: number;
  readonly errors: SetupErrorSink;
  readonly log: Logger;
  /** Throws (with file:line) when the server would refuse this config: parse and plan it. */
  readonly validate: (corefile: Corefile) => void;
  /** Called after a new Corefile was written (the agent reloads the server). */
  readonly onChange: (text: string) => Promise<void>;
}

export class ConfigSync {
  readonly #o: ConfigSyncOptions;
  #kube: KubeDnsConfig = EMPTY_KUBE_DNS_CONFIG;
  #kubeVersion: string | undefined;
  #template: string | undefined;
  #templateVersion: string | undefined;
  #written: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** Why the last rendering was refused, for the start-up error. */
  #lastError: string | undefined;

  constructor(options: ConfigSyncOptions) {
    this.#o = options;
  }

  /** The last Corefile written, if any. */
  get current(): string | undefined {
    return this.#written;
  }

  /**
   * First render (template + ConfigMap read once). When it fails, the Corefile already at
   * `-conf` (the last good one of an earlier run) serves if it is valid; with neither, this
   * throws, so the agent exits with the reason (the rules fail open, so a crash loop is safe).
   */
  async start(): Promise<void> {
    await this.#pollKube();
    await this.#pollTemplate();
    await this.#render(false);
    if (this.#written === undefined) await this.#adoptLastGood();
    this.#timer = setInterval(() => {
      void this.poll();
    }, this.#o.intervalMs);
  }

  async #adoptLastGood(): Promise<void> {
    const path = this.#o.corefilePath;
    const why = this.#lastError ?? 'no Corefile template';
    let text: string;
    try {
      text = await readFile(path, 'utf8');
      this.#o.validate(parseCorefile(text, path));
    } catch (e) {
      throw new Error(`no usable config: ${why}; and no last good one: ${errorText(e)}`);
    }
    this.#written = text;
    this.#o.log.warning(`${why}: serving the last good Corefile, ${path}`);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One polling round; rounds never overlap. */
  poll(): Promise<void> {
    this.#running ??= (async () => {
      try {
        const kube = await this.#pollKube();
        const template = await this.#pollTemplate();
        const retry = this.#lastError !== undefined;
        if (kube || template || retry) await this.#render(true, !(kube || template));
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async #pollKube(): Promise<boolean> {
    const dir = this.#o.kubeDnsConfigDir;
    if (dir === undefined) return false;
    try {
      const snap = await readConfigDir(dir);
      if (snap.version === this.#kubeVersion) return false;
      this.#kubeVersion = snap.version; // a bad version is counted once, not on every poll
      this.#kube = parseKubeDnsConfig(snap.files);
      this.#o.log.info(
        `kube-dns ConfigMap: ${this.#kube.stubDomains.size} stub domains, ${this.#kube.upstreamNameservers.length} upstream nameservers`,
      );
      return true;
    } catch (e) {
      this.#o.errors.count('configmap');
      // Name the folder: the message names the file (key), and JSON syntax errors carry the line.
      this.#o.log.error(`${dir}: ${errorText(e)}; keeping the last good kube-dns config`);
      return false;
    }
  }

  async #pollTemplate(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.#o.baseCorefile, 'utf8');
    } catch (e) {
      const version = `error:${errorText(e)}`;
      if (version !== this.#templateVersion) {
        this.#templateVersion = version;
        this.#o.errors.count('configmap');
        this.#o.log.error(`reading the Corefile template: ${errorText(e)}`);
      }
      return false;
    }
    const version = createHash('sha256').update(text).digest('hex');
    if (version === this.#templateVersion) return false;
    this.#templateVersion = version;
    this.#template = text;
    return true;
  }

  /** `retry`: nothing changed since the last failed rendering; the same failure again is quiet. */
  async #render(notify: boolean, retry = false): Promise<void> {
    if (this.#template === undefined) return;
    let text: string;
    try {
      const model = parseCorefile(this.#template, this.#o.baseCorefile);
      const applied = applyTemplate(model, {
        ...this.#o.params,
        upstreamNameservers: this.#kube.upstreamNameservers,
        stubDomains: this.#kube.stubDomains,
      });
      // planned before printing: errors point at the template's own lines, not -conf's
      this.#o.validate(applied);
      text = printCorefile(applied);
    } catch (e) {
      const why = errorText(e);
      const repeated = retry && why === this.#lastError;
      this.#lastError = why;
      if (repeated) return;
      this.#o.errors.count('configmap');
      this.#o.log.error(
        `rendering the Corefile: ${errorText(e)}; keeping the last good Corefile, ${this.#o.corefilePath} is unchanged`,
      );
      return;
    }
    this.#lastError = undefined;
    if (text === this.#written) return;
    try {
      // write-then-rename: a reader never sees a half-written Corefile
      const tmp = `${this.#o.corefilePath}.tmp-${process.pid}`;
      await writeFile(tmp, text, { mode: 0o644 });
      await rename(tmp, this.#o.corefilePath);
    } catch (e) {
      this.#o.errors.count('configmap');
      this.#o.log.error(`writing ${this.#o.corefilePath}: ${errorText(e)}`);
      return;
    }
    this.#written = text;
    this.#o.log.info(`wrote ${this.#o.corefilePath}`);
    if (notify) await this.#o.onChange(text);
  }
}
