// Live numbers for /debug/top and the status page: qps, NXDOMAIN share, latency percentiles,
// the heaviest names and clients, and names that fail through the pod's `ndots` search list
// before the real one. Every query costs a few additions; names and clients are taken from a
// random 1-in-SAMPLE_EVERY sample into bounded heavy-hitter sketches, so memory stays fixed
// under any query mix.

import type { Request, ResponseWriter } from '../../chain/handler.ts';
import { Rcode, typeName } from '../../dns/constants.ts';
import { readName } from '../../dns/name.ts';
import { HeavyHitters } from './sketch.ts';

export const SAMPLE_EVERY = 32;
const SKETCH_CAPACITY = 256;
/** Seconds of history kept (one snapshot per second). */
const HISTORY = 60;
/**
 * Latency buckets in whole microseconds, two per power of two: bucket 2e holds [2^e, 1.5·2^e),
 * bucket 2e+1 holds [1.5·2^e, 2^(e+1)); bucket 0 also holds 0. Integer bit tricks, no log2.
 */
const LATENCY_BUCKETS = 56;
/** Sketch counts are halved this often (seconds), so "top" means recent. */
const DECAY_EVERY = 30;

export function latencyBucket(ms: number): number {
  const us = Math.min(ms * 1000, 2 ** 27) | 0;
  if (us <= 1) return 0;
  const e = 31 - Math.clz32(us);
  return 2 * e + ((us >>> (e - 1)) & 1);
}

/** Upper bound of bucket i, in milliseconds. */
export function latencyBucketBound(i: number): number {
  const e = i >> 1;
  return ((i & 1) === 1 ? 2 ** (e + 1) : 1.5 * 2 ** e) / 1000;
}

interface Snapshot {
  readonly at: number;
  readonly queries: number;
  readonly nxdomain: number;
  readonly hits: number;
  readonly cacheRequests: number;
  readonly latency: Float64Array;
}

/** What the status page reads; see docs/observability.md for the meaning of each field. */
export interface TopReport {
  readonly at: string;
  readonly windowSeconds: number;
  readonly qps: number;
  readonly qpsHistory: readonly number[];
  readonly hitRatio: number | null;
  readonly nxdomainShare: number | null;
  readonly latencyMs: {
    readonly p50: number | null;
    readonly p90: number | null;
    readonly p99: number | null;
  };
  readonly totals: { readonly queries: number; readonly nxdomain: number };
  readonly sampleEvery: number;
  readonly topNames: ReadonlyArray<{ name: string; type: string; count: number }>;
  readonly topClients: ReadonlyArray<{ client: string; count: number }>;
  readonly searchPath: {
    readonly share: number | null;
    readonly topNames: ReadonlyArray<{ name: string; count: number }>;
  };
}

export class TopStats {
  queries = 0;
  nxdomain = 0;
  readonly latency = new Float64Array(LATENCY_BUCKETS);
  readonly names = new HeavyHitters(SKETCH_CAPACITY);
  readonly clients = new HeavyHitters(SKETCH_CAPACITY);
  readonly searchMisses = new HeavyHitters(SKETCH_CAPACITY);
  /** Sampled NXDOMAIN answers that were search-list expansions. */
  searchSampled = 0;
  sampled = 0;
  /** Cluster domains (`cluster.local.`) whose search suffixes are recognised. */
  clusterDomains: readonly string[] = ['cluster.local.'];
  readonly #history: Snapshot[] = [];
  #ticks = 0;
  #rng = 0x9e3779b9;
  #timer: NodeJS.Timeout | undefined;
  #cache: () => { hits: number; requests: number } = () => ({ hits: 0, requests: 0 });

  /** Starts the once-a-second snapshots; `cache` gives cumulative cache hits and requests. */
  start(cache: () => { hits: number; requests: number }): void {
    this.#cache = cache;
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.tick(), 1000).unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  record(req: Request, w: ResponseWriter, rcode: number, durationMs: number): void {
    this.queries++;
    const code = w.written ? w.rcode : rcode;
    if (code === Rcode.NXDOMAIN) this.nxdomain++;
    const b = latencyBucket(durationMs);
    this.latency[b] = (this.latency[b] as number) + 1;
    // xorshift32: a cheap random sample that does not alias with periodic query patterns.
    let x = this.#rng;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#rng = x;
    if ((x & (SAMPLE_EVERY - 1)) !== 0) return;
    this.sampled++;
    const q = req.query;
    // The key starts with the lower-cased wire name, then the qtype: a string slice, no decoding.
    this.names.add(q.key.slice(0, q.qnameLength + 2));
    this.clients.add(req.remoteAddress);
    if (code === Rcode.NXDOMAIN) this.#searchPath(q.wire);
  }

  #searchPath(wire: Buffer): void {
    let name: string;
    try {
      name = readName(wire, 12).toLowerCase();
    } catch {
      return;
    }
    const miss = searchListMiss(name, this.clusterDomains);
    if (miss === undefined) return;
    this.searchSampled++;
    if (miss.origin !== undefined) this.searchMisses.add(miss.origin);
  }

  tick(now = Date.now()): void {
    const cache = this.#cache();
    this.#history.push({
      at: now,
      queries: this.queries,
      nxdomain: this.nxdomain,
      hits: cache.hits,
      cacheRequests: cache.requests,
      latency: Float64Array.from(this.latency),
    });
    if (this.#history.length > HISTORY + 1) this.#history.shift();
    if (++this.#ticks % DECAY_EVERY === 0) {
      this.names.decay();
      this.clients.decay();
      this.searchMisses.decay();
    }
  }

  report(windowSeconds = 10, n = 20): TopReport {
    const h = this.#history;
    const last = h.at(-1);
    const first = h[Math.max(0, h.length - 1 - windowSeconds)];
    const seconds = last !== undefined && first !== undefined ? (last.at - first.at) / 1000 : 0;
    const dq = last !== undefined && first !== undefined ? last.queries - first.queries : 0;
    const dnx = last !== undefined && first !== undefined ? last.nxdomain - first.nxdomain : 0;
    const dHits = last !== undefined && first !== undefined ? last.hits - first.hits : 0;
    const dReq =
      last !== undefined && first !== undefined ? last.cacheRequests - first.cacheRequests : 0;
    const lat = new Float64Array(LATENCY_BUCKETS);
    if (last !== undefined && first !== undefined)
      for (let i = 0; i < LATENCY_BUCKETS; i++)
        lat[i] = (last.latency[i] as number) - (first.latency[i] as number);
    const qpsHistory: number[] = [];
    for (let i = 1; i < h.length; i++) {
      const a = h[i - 1] as Snapshot;
      const b = h[i] as Snapshot;
      qpsHistory.push(round((b.queries - a.queries) / Math.max(0.001, (b.at - a.at) / 1000)));
    }
    const sampledShare = this.sampled > 0 ? this.searchSampled / this.sampled : null;
    return {
      at: new Date(last?.at ?? Date.now()).toISOString(),
      windowSeconds: seconds,
      qps: seconds > 0 ? round(dq / seconds) : 0,
      qpsHistory,
      hitRatio: dReq > 0 ? round(dHits / dReq) : null,
      nxdomainShare: dq > 0 ? round(dnx / dq) : null,
      latencyMs: {
        p50: percentile(lat, 0.5),
        p90: percentile(lat, 0.9),
        p99: percentile(lat, 0.99),
      },
      totals: { queries: this.queries, nxdomain: this.nxdomain },
      sampleEvery: SAMPLE_EVERY,
      topNames: this.names.top(n).map((e) => ({
        name: wireKeyName(e.key),
        type: typeName(wireKeyType(e.key)),
        count: e.count * SAMPLE_EVERY,
      })),
      topClients: this.clients
        .top(n)
        .map((e) => ({ client: e.key, count: e.count * SAMPLE_EVERY })),
      searchPath: {
        share: sampledShare === null ? null : round(sampledShare),
        topNames: this.searchMisses
          .top(n)
          .map((e) => ({ name: e.key, count: e.count * SAMPLE_EVERY })),
      },
    };
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function percentile(buckets: Float64Array, p: number): number | null {
  let total = 0;
  for (const n of buckets) total += n;
  if (total === 0) return null;
  let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    seen += buckets[i] as number;
    if (seen >= p * total) return round(latencyBucketBound(i));
  }
  return round(latencyBucketBound(buckets.length - 1));
}

/** Presentation name from the wire-name prefix of a query key. */
export function wireKeyName(key: string): string {
  const labels: string[] = [];
  let pos = 0;
  while (pos < key.length) {
    const len = key.charCodeAt(pos);
    if (len === 0) break;
    labels.push(
      key
        .slice(pos + 1, pos + 1 + len)
        .replace(/[^\x21-\x7e]|[.\\]/g, (c) => `\\${c.charCodeAt(0).toString().padStart(3, '0')}`),
    );
    pos += len + 1;
  }
  return labels.length === 0 ? '.' : `${labels.join('.')}.`;
}

function wireKeyType(key: string): number {
  return (key.charCodeAt(key.length - 2) << 8) | key.charCodeAt(key.length - 1);
}

/**
 * Whether an NXDOMAIN `name` is one of a pod's search-list expansions. With the cluster search
 * list `<ns>.svc.D svc.D D` and ndots:5, `api.example.com` is first tried as
 * `api.example.com.<ns>.svc.D`, then `api.example.com.svc.D`, then `api.example.com.D`. A name
 * counts when what precedes the suffix has more labels than a service name can
 * (`<svc>.<ns>.svc.D`, `<pod>.<ns>.pod.D`). Only the last expansion tells the meant name for sure
 * (`origin`); the other two are counted as misses without one.
 */
export function searchListMiss(
  name: string,
  domains: readonly string[],
): { readonly origin: string | undefined } | undefined {
  if (name.startsWith('_')) return undefined; // SRV forms: _port._proto.<svc>.<ns>.svc.D
  for (const domain of domains) {
    const suffix = `.${domain}`;
    if (!name.endsWith(suffix)) continue;
    const labels = name.slice(0, -suffix.length).split('.');
    const last = labels.at(-1);
    if (last === 'svc') return labels.length >= 4 ? { origin: undefined } : undefined;
    if (last === 'pod') return undefined;
    return labels.length >= 2 ? { origin: `${labels.join('.')}.` } : undefined;
  }
  return undefined;
}
