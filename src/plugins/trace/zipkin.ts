// A Zipkin v2 HTTP reporter (as zipkin-go's reporter/http): spans collect in a bounded backlog
// (the oldest dropped beyond it), leave as JSON arrays of at most `maxBatch` spans, when a batch
// fills or every `batchIntervalMs`, one POST at a time. Nothing waits on the collector: a failed
// or slow POST drops its batch and counts it.

import type { Logger } from '../../util/log.ts';

export interface ZipkinSpan {
  readonly traceId: string;
  readonly id: string;
  readonly name: string;
  readonly kind?: 'SERVER';
  /** Microseconds since the epoch, and microseconds long. */
  readonly timestamp: number;
  readonly duration: number;
  readonly localEndpoint: {
    readonly serviceName: string;
    readonly ipv4?: string;
    readonly ipv6?: string;
    readonly port?: number;
  };
  readonly tags: Readonly<Record<string, string>>;
}

export interface ReporterOptions {
  readonly url: string;
  readonly maxBacklog: number;
  readonly maxBatch: number;
  readonly batchIntervalMs: number;
  /** Per-POST deadline (zipkin-go: 5 s). */
  readonly timeoutMs?: number;
}

export class ZipkinReporter {
  readonly #options: ReporterOptions;
  readonly #log: Logger;
  #backlog: ZipkinSpan[] = [];
  #sending = false;
  #closed = false;
  readonly #timer: NodeJS.Timeout;
  /** Spans posted successfully, and spans dropped (backlog overflow or failed POST). */
  sent = 0;
  dropped = 0;
  #lastError = '';

  constructor(options: ReporterOptions, log: Logger) {
    this.#options = options;
    this.#log = log;
    this.#timer = setInterval(() => this.#send(), options.batchIntervalMs);
    this.#timer.unref();
  }

  report(span: ZipkinSpan): void {
    if (this.#closed) return;
    this.#backlog.push(span);
    const over = this.#backlog.length - this.#options.maxBacklog;
    if (over > 0) {
      this.#backlog.splice(0, over);
      this.dropped += over;
    }
    if (this.#backlog.length >= this.#options.maxBatch) this.#send();
  }

  /** Sends what is left (one last batch, bounded by the POST deadline) and stops. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    if (!this.#sending && this.#backlog.length > 0) await this.#post();
  }

  #send(): void {
    if (this.#sending || this.#backlog.length === 0) return;
    void this.#post();
  }

  async #post(): Promise<void> {
    const batch = this.#backlog.splice(0, this.#options.maxBatch);
    this.#sending = true;
    try {
      const res = await fetch(this.#options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(batch),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 5000),
      });
      await res.arrayBuffer(); // drain, so the connection is reused
      if (res.status >= 300) throw new Error(`collector answered ${res.status}`);
      this.sent += batch.length;
      this.#lastError = '';
    } catch (err) {
      this.dropped += batch.length;
      const message = (err as Error).message;
      // Once per distinct failure, not once per batch.
      if (message !== this.#lastError)
        this.#log.error(`failed to send ${batch.length} spans to ${this.#options.url}: ${message}`);
      this.#lastError = message;
    } finally {
      this.#sending = false;
    }
    if (!this.#closed && this.#backlog.length >= this.#options.maxBatch) this.#send();
  }
}
