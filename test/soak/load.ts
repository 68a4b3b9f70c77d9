// The soak's mixed load: cache hits (a few cluster names, UDP and TCP), misses (unique names
// under the knot wildcard), NXDOMAIN (unique cluster names), and queries for the two zones
// forwarded to the faulty upstream (over UDP, and with force_tcp). Paced by a timer, bounded in
// rate, in queries outstanding and in total; every reply is classified by its rcode.

import { rcodeLabel } from '../../src/metrics/rcode-label.ts';
import { query } from '../helpers/client.ts';
import { ZONE_DATA } from '../helpers/zones.ts';

export const KINDS = ['hit-udp', 'hit-tcp', 'miss', 'nxdomain', 'fault-udp', 'fault-tcp'] as const;
export type Kind = (typeof KINDS)[number];

/** Share of the queries of each kind (sums to 1). */
const MIX: ReadonlyArray<readonly [Kind, number]> = [
  ['hit-udp', 0.3],
  ['hit-tcp', 0.1],
  ['miss', 0.15],
  ['nxdomain', 0.1],
  ['fault-udp', 0.2],
  ['fault-tcp', 0.15],
];

const HOT_NAMES = [
  ZONE_DATA.kubeDns,
  ZONE_DATA.kubernetes,
  ZONE_DATA.web,
  ZONE_DATA.alias,
  'api.shop.svc.cluster.local.',
  'metrics.monitoring.svc.cluster.local.',
];

/** Time a client waits for a reply: past the agent's 5 s forward window, with slack for a loaded machine. */
export const CLIENT_TIMEOUT_MS = 8000;

export interface KindStats {
  sent: number;
  /** Replies by rcode name (NOERROR, NXDOMAIN, SERVFAIL, ...). */
  rcodes: Record<string, number>;
  /** No reply within CLIENT_TIMEOUT_MS, or the TCP connection failed. */
  unanswered: number;
  /** The reply had the wrong rcode for a knot-backed name (hits, misses, NXDOMAIN). */
  wrong: number;
  maxLatencyMs: number;
}

export interface LoadOptions {
  host: string;
  port: number;
  /** Queries per second, all kinds together. */
  ratePerSec: number;
  /** Cap on queries awaiting a reply; a tick that would pass it sends fewer (counted as skipped). */
  maxOutstanding: number;
  random: () => number;
}

export class MixedLoad {
  readonly stats = new Map<Kind, KindStats>(
    KINDS.map((k) => [k, { sent: 0, rcodes: {}, unanswered: 0, wrong: 0, maxLatencyMs: 0 }]),
  );
  skipped = 0;
  readonly #o: LoadOptions;
  #seq = 0;
  #outstanding = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #credit = 0;

  constructor(options: LoadOptions) {
    this.#o = options;
  }

  get outstanding(): number {
    return this.#outstanding.size;
  }

  get sent(): number {
    let n = 0;
    for (const s of this.stats.values()) n += s.sent;
    return n;
  }

  start(tickMs = 20): void {
    this.#timer = setInterval(() => this.#tick(tickMs), tickMs);
  }

  /** Stops sending and resolves when every query sent has its outcome. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.all([...this.#outstanding]);
  }

  #tick(tickMs: number): void {
    this.#credit += (this.#o.ratePerSec * tickMs) / 1000;
    while (this.#credit >= 1) {
      this.#credit -= 1;
      if (this.#outstanding.size >= this.#o.maxOutstanding) {
        this.skipped++;
        continue;
      }
      this.#send(this.#pick());
    }
  }

  #pick(): Kind {
    let r = this.#o.random();
    for (const [kind, share] of MIX) {
      if (r < share) return kind;
      r -= share;
    }
    return 'hit-udp';
  }

  #send(kind: Kind): void {
    const seq = this.#seq++;
    const hot = HOT_NAMES[seq % HOT_NAMES.length] as string;
    // A quarter of the fault-zone names repeat, so a healthy spell fills the cache for them.
    const faultName = (zone: string): string =>
      seq % 4 === 0 ? `hot${seq % 8}.${zone}` : `${seq % 5 === 1 ? 'nx' : 'q'}${seq}.${zone}`;
    const [name, proto, expected] = ((): [string, 'udp' | 'tcp', number | undefined] => {
      switch (kind) {
        case 'hit-udp':
          return [hot, 'udp', 0];
        case 'hit-tcp':
          return [hot, 'tcp', 0];
        case 'miss':
          return [`m${seq}.example.test.`, 'udp', 0];
        case 'nxdomain':
          return [`nx${seq}.default.svc.cluster.local.`, 'udp', 3];
        case 'fault-udp':
          return [faultName('udpfault.test.'), 'udp', undefined];
        case 'fault-tcp':
          return [faultName('tcpfault.test.'), seq % 3 === 0 ? 'tcp' : 'udp', undefined];
      }
    })();
    const stats = this.stats.get(kind) as KindStats;
    stats.sent++;
    const started = performance.now();
    const p = query({
      host: this.#o.host,
      port: this.#o.port,
      proto,
      name,
      timeoutMs: CLIENT_TIMEOUT_MS,
    }).then(
      (reply) => {
        const rcode = (reply[3] as number) & 0x0f;
        const label = rcodeLabel(rcode);
        stats.rcodes[label] = (stats.rcodes[label] ?? 0) + 1;
        if (expected !== undefined && rcode !== expected) stats.wrong++;
        stats.maxLatencyMs = Math.max(stats.maxLatencyMs, performance.now() - started);
      },
      () => {
        stats.unanswered++;
      },
    );
    const tracked = p.finally(() => this.#outstanding.delete(tracked));
    this.#outstanding.add(tracked);
  }
}
