// CoreDNS's per-query metrics (coredns_dns_*), counted into slots. A slot holds every counter of
// one (server, zone) label pair; label values that vary per query (proto, family, type, rcode,
// plugin) are small integers into preallocated arrays, so recording a query builds no string and
// does no keyed lookup. Slots live in the prometheus plugin's App-lifetime state and survive reloads, as CoreDNS's
// process-global counters do.

import type { QueryObserver } from '../../chain/definition.ts';
import type { Request, ResponseWriter } from '../../chain/handler.ts';
import { RRType } from '../../dns/constants.ts';
import type { ScannedQuery } from '../../dns/query.ts';
import type { ExpositionWriter, Labels } from '../../metrics/exposition.ts';
import { Histogram, SIZE_BUCKETS, TIME_BUCKETS } from '../../metrics/histogram.ts';
import { rcodeLabel } from '../../metrics/rcode-label.ts';

export { rcodeLabel };

/** The qtypes CoreDNS v1.13 names in the `type` label; everything else is `other`. */
const TYPE_LABELS = [
  'A',
  'AAAA',
  'CNAME',
  'DNSKEY',
  'DS',
  'MX',
  'NSEC3',
  'NSEC',
  'NS',
  'PTR',
  'RRSIG',
  'SOA',
  'SRV',
  'TXT',
  'HTTPS',
  'IXFR',
  'AXFR',
  'ANY',
  'other',
] as const;
const TYPE_COUNT = TYPE_LABELS.length;
const OTHER = TYPE_COUNT - 1;
/** qtype (< 256) → index into TYPE_LABELS; every listed type is below 256. */
const TYPE_INDEX = new Uint8Array(256).fill(OTHER);
for (const [i, name] of TYPE_LABELS.entries()) {
  const code = (RRType as Record<string, number>)[name];
  if (code !== undefined) TYPE_INDEX[code] = i;
}

/** Header rcodes are 4 bits; extended ones up to 23 have names. Above that: one overflow cell. */
const RCODE_SLOTS = 24;

export function typeIndex(qtype: number): number {
  return qtype < 256 ? (TYPE_INDEX[qtype] as number) : OTHER;
}

export class DnsSlot {
  readonly server: string;
  readonly zone: string;
  /** requests[((tcp ? 1 : 0) * 2 + family - 1) * TYPE_COUNT + typeIndex] */
  readonly requests = new Float64Array(4 * TYPE_COUNT);
  doRequests = 0;
  readonly duration = new Histogram(TIME_BUCKETS);
  readonly requestSizeUdp = new Histogram(SIZE_BUCKETS);
  readonly requestSizeTcp = new Histogram(SIZE_BUCKETS);
  readonly responseSizeUdp = new Histogram(SIZE_BUCKETS);
  readonly responseSizeTcp = new Histogram(SIZE_BUCKETS);
  /** Plugin label values seen so far; index i owns responses[i * RCODE_SLOTS …]. */
  plugins: string[] = [''];
  responses = new Float64Array(RCODE_SLOTS);
  /** Rcodes beyond RCODE_SLOTS, by plugin index then rcode (rare: only returned, never written). */
  readonly overflow = new Map<string, number>();

  constructor(server: string, zone: string) {
    this.server = server;
    this.zone = zone;
  }

  #pluginIndex(plugin: string): number {
    const plugins = this.plugins;
    for (let i = 0; i < plugins.length; i++) if (plugins[i] === plugin) return i;
    // First reply from this plugin on this slot: grow once.
    const grown = new Float64Array((plugins.length + 1) * RCODE_SLOTS);
    grown.set(this.responses);
    this.responses = grown;
    this.plugins = [...plugins, plugin];
    return plugins.length;
  }

  request(q: ScannedQuery, tcp: boolean, family: number): void {
    const cell = ((tcp ? 2 : 0) + family - 1) * TYPE_COUNT + typeIndex(q.qtype);
    this.requests[cell] = (this.requests[cell] as number) + 1;
    if (q.dnssecOk) this.doRequests++;
    (tcp ? this.requestSizeTcp : this.requestSizeUdp).observe(q.wire.length);
  }

  response(plugin: string, rcode: number, size: number, tcp: boolean, seconds: number): void {
    const p = this.#pluginIndex(plugin);
    if (rcode < RCODE_SLOTS) {
      const cell = p * RCODE_SLOTS + rcode;
      this.responses[cell] = (this.responses[cell] as number) + 1;
    } else {
      const key = `${p}|${rcode}`;
      this.overflow.set(key, (this.overflow.get(key) ?? 0) + 1);
    }
    (tcp ? this.responseSizeTcp : this.responseSizeUdp).observe(size);
    this.duration.observe(seconds);
  }

  /** One finished query through the chain. */
  record(req: Request, w: ResponseWriter, rcode: number, durationMs: number): void {
    const tcp = req.transport === 'tcp';
    this.request(req.query, tcp, req.family);
    // w.plugin is '' when the server wrote the reply itself; its size then counts as 0.
    const plugin = (w as ResponseWriter & { readonly plugin?: string }).plugin ?? '';
    const written = w.written;
    this.response(
      plugin,
      written ? w.rcode : rcode,
      written && plugin !== '' ? w.size : 0,
      tcp,
      durationMs / 1000,
    );
  }
}

/** The App-level slot store; slots are created on a label pair's first query. */
export class DnsMetrics {
  readonly #slots = new Map<string, DnsSlot>();

  slot(server: string, zone: string): DnsSlot {
    const key = `${server}\u0000${zone}`;
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      slot = new DnsSlot(server, zone);
      this.#slots.set(key, slot);
    }
    return slot;
  }

  /** An observer for one block: caches its slots and finds them by identity, not by key. */
  observer(): QueryObserver {
    let cache: DnsSlot[] = [];
    const find = (server: string, zone: string): DnsSlot => {
      for (let i = 0; i < cache.length; i++) {
        const s = cache[i] as DnsSlot;
        if (s.server === server && s.zone === zone) return s;
      }
      const slot = this.slot(server, zone);
      cache = [...cache, slot];
      return slot;
    };
    return {
      finished(req, w, rcode, durationMs) {
        find(req.server, req.zone).record(req, w, rcode, durationMs);
      },
    };
  }

  /** A packet rejected before the chain (no zone): zone `dropped`, plugin ''. */
  dropped(
    server: string,
    transport: 'udp' | 'tcp',
    family: 1 | 2,
    q: ScannedQuery,
    rcode: number,
  ): void {
    const slot = this.slot(server, 'dropped');
    slot.request(q, transport === 'tcp', family);
    slot.response('', rcode, 0, transport === 'tcp', 0);
  }

  collect(w: ExpositionWriter): void {
    declareDnsFamilies(w);
    for (const slot of this.#slots.values()) renderSlot(w, slot);
  }
}

export function declareDnsFamilies(w: ExpositionWriter): void {
  w.family(
    'coredns_dns_requests_total',
    'Counter of DNS requests made per zone, protocol and family.',
    'counter',
  );
  w.family(
    'coredns_dns_do_requests_total',
    'Counter of DNS requests with DO bit set per zone.',
    'counter',
  );
  w.family(
    'coredns_dns_request_duration_seconds',
    'Histogram of the time (in seconds) each request took per zone.',
    'histogram',
  );
  w.family(
    'coredns_dns_request_size_bytes',
    'Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.',
    'histogram',
  );
  w.family(
    'coredns_dns_response_size_bytes',
    'Size of the returned response in bytes.',
    'histogram',
  );
  w.family('coredns_dns_responses_total', 'Counter of response status codes.', 'counter');
}

function renderSlot(w: ExpositionWriter, s: DnsSlot): void {
  // Label names in sorted order, as the Go client prints them.
  const base: Labels = [
    ['server', s.server],
    ['view', ''],
    ['zone', s.zone],
  ];
  for (let cell = 0; cell < s.requests.length; cell++) {
    const n = s.requests[cell] as number;
    if (n === 0) continue;
    const combo = Math.floor(cell / TYPE_COUNT);
    const proto = combo >= 2 ? 'tcp' : 'udp';
    const family = String((combo % 2) + 1);
    const type = TYPE_LABELS[cell % TYPE_COUNT] as string;
    w.sample(
      'coredns_dns_requests_total',
      sortLabels([['family', family], ['proto', proto], ...base, ['type', type]]),
      n,
    );
  }
  if (s.doRequests > 0) w.sample('coredns_dns_do_requests_total', base, s.doRequests);
  if (s.duration.count > 0) w.histogram('coredns_dns_request_duration_seconds', base, s.duration);
  for (const [proto, req, res] of [
    ['udp', s.requestSizeUdp, s.responseSizeUdp],
    ['tcp', s.requestSizeTcp, s.responseSizeTcp],
  ] as const) {
    const labels: Labels = [['proto', proto], ...base];
    if (req.count > 0) w.histogram('coredns_dns_request_size_bytes', labels, req);
    if (res.count > 0) w.histogram('coredns_dns_response_size_bytes', labels, res);
  }
  const responses = (plugin: string, rcode: number, n: number): void =>
    w.sample(
      'coredns_dns_responses_total',
      sortLabels([['plugin', plugin], ['rcode', rcodeLabel(rcode)], ...base]),
      n,
    );
  for (let cell = 0; cell < s.responses.length; cell++) {
    const n = s.responses[cell] as number;
    if (n > 0) responses(s.plugins[Math.floor(cell / RCODE_SLOTS)] ?? '', cell % RCODE_SLOTS, n);
  }
  for (const [key, n] of s.overflow) {
    const [p = '0', rcode = '0'] = key.split('|');
    responses(s.plugins[Number(p)] ?? '', Number(rcode), n);
  }
}

function sortLabels(labels: Array<readonly [string, string]>): Labels {
  return labels.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
