import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request, ResponseWriter } from '../../../src/chain/handler.ts';
import { buildQuery } from '../../../src/dns/build.ts';
import { nameToWire } from '../../../src/dns/name.ts';
import { scanQuery } from '../../../src/dns/query.ts';
import { ExpositionWriter } from '../../../src/metrics/exposition.ts';
import { CacheCollector, cacheStoreSource } from '../../../src/plugins/cache/metrics.ts';
import {
  ForwardCollector,
  type ForwardHandlerLike,
  forwardHandlerSource,
} from '../../../src/plugins/forward/metrics.ts';
import { DnsMetrics, rcodeLabel, typeIndex } from '../../../src/plugins/prometheus/dns-metrics.ts';
import { parseExposition, value } from '../../integration/observe-helpers.ts';

function req(
  name: string,
  type: number,
  opts: { tcp?: boolean; server?: string; zone?: string; dnssecOk?: boolean } = {},
): Request {
  const q = scanQuery(
    buildQuery(1, nameToWire(name), type, {
      edns: opts.dnssecOk === true,
      dnssecOk: opts.dnssecOk === true,
    }),
  );
  return {
    query: q,
    transport: opts.tcp === true ? 'tcp' : 'udp',
    remoteAddress: '127.0.0.1',
    remotePort: 5353,
    family: 1,
    server: opts.server ?? 'dns://127.0.0.1:53',
    zone: opts.zone ?? '.',
    receivedAt: 0,
    sizeLimit: 512,
  };
}

function writer(rcode: number, size: number, plugin: string): ResponseWriter & { plugin: string } {
  return { written: true, rcode, size, reply: undefined, plugin, write() {} };
}

function render(collect: (w: ExpositionWriter) => void) {
  const w = new ExpositionWriter();
  collect(w);
  return parseExposition(w.toString());
}

describe('dns slots', () => {
  it('maps qtypes to CoreDNS type labels and rcodes to miekg names', () => {
    assert.equal(typeIndex(1), 0);
    assert.equal(typeIndex(64), typeIndex(99)); // SVCB is `other` in v1.13
    assert.equal(typeIndex(65535), typeIndex(99));
    assert.equal(rcodeLabel(3), 'NXDOMAIN');
    assert.equal(rcodeLabel(16), 'BADSIG');
    assert.equal(rcodeLabel(12), 'RCODE12');
  });

  it('counts per server and zone, proto, family, type, rcode and plugin', () => {
    const m = new DnsMetrics();
    const o = m.observer();
    o.finished(req('a.example.', 1), writer(0, 60, 'cache'), 0, 1.5);
    o.finished(
      req('a.example.', 28, { tcp: true, dnssecOk: true }),
      writer(3, 90, 'forward'),
      3,
      3,
    );
    o.finished(req('b.cluster.local.', 33, { zone: 'cluster.local.' }), writer(2, 40, ''), 2, 0.1);
    const e = render((w) => m.collect(w));
    assert.equal(
      value(e, 'coredns_dns_requests_total', { zone: '.', proto: 'udp', type: 'A', family: '1' }),
      1,
    );
    assert.equal(
      value(e, 'coredns_dns_requests_total', { zone: '.', proto: 'tcp', type: 'AAAA' }),
      1,
    );
    assert.equal(
      value(e, 'coredns_dns_requests_total', { zone: 'cluster.local.', type: 'SRV' }),
      1,
    );
    assert.equal(value(e, 'coredns_dns_do_requests_total', { zone: '.' }), 1);
    assert.equal(
      value(e, 'coredns_dns_responses_total', { zone: '.', rcode: 'NXDOMAIN', plugin: 'forward' }),
      1,
    );
    assert.equal(
      value(e, 'coredns_dns_responses_total', { zone: '.', rcode: 'NOERROR', plugin: 'cache' }),
      1,
    );
    // The server's own reply counts with plugin "" and response size 0.
    assert.equal(value(e, 'coredns_dns_response_size_bytes_sum', { zone: 'cluster.local.' }), 0);
    assert.equal(value(e, 'coredns_dns_request_duration_seconds_count', { zone: '.' }), 2);
    assert.ok(
      Math.abs(value(e, 'coredns_dns_request_duration_seconds_sum', { zone: '.' }) - 0.0045) < 1e-9,
    );
  });

  it('counts the returned rcode when nothing was written', () => {
    const m = new DnsMetrics();
    const w: ResponseWriter = { written: false, rcode: -1, size: 0, reply: undefined, write() {} };
    m.observer().finished(req('x.', 1), w, 5, 0);
    const e = render((x) => m.collect(x));
    assert.equal(value(e, 'coredns_dns_responses_total', { rcode: 'REFUSED', plugin: '' }), 1);
  });
});

type StatName =
  | 'requests'
  | 'hitsSuccess'
  | 'hitsDenial'
  | 'misses'
  | 'prefetches'
  | 'drops'
  | 'servedStale'
  | 'waitersShed';

interface FakeStore {
  stats: Record<StatName, number>;
  positive: { size: number; evictions: number; bytes: number };
  negative: { size: number; evictions: number; bytes: number };
}

function fakeStore(): FakeStore {
  return {
    stats: {
      requests: 0,
      hitsSuccess: 0,
      hitsDenial: 0,
      misses: 0,
      prefetches: 0,
      drops: 0,
      servedStale: 0,
      waitersShed: 0,
    },
    positive: { size: 3, evictions: 1, bytes: 300 },
    negative: { size: 2, evictions: 0, bytes: 200 },
  };
}

describe('cache collector', () => {
  it('renders every coredns_cache_* family with CoreDNS labels', () => {
    const c = new CacheCollector();
    const store = fakeStore();
    store.stats['requests'] = 10;
    store.stats['hitsSuccess'] = 6;
    store.stats['misses'] = 4;
    c.add(cacheStoreSource(store, ['cluster.local.'], 'dns://127.0.0.1:53'));
    const e = render((w) => c.collect(w));
    const labels = { server: 'dns://127.0.0.1:53', zones: 'cluster.local.', view: '' };
    assert.equal(value(e, 'coredns_cache_entries', { ...labels, type: 'success' }), 3);
    assert.equal(value(e, 'coredns_cache_hits_total', { ...labels, type: 'success' }), 6);
    assert.equal(value(e, 'coredns_cache_requests_total', labels), 10);
    assert.equal(value(e, 'coredns_cache_evictions_total', { ...labels, type: 'success' }), 1);
    for (const f of ['misses', 'prefetch', 'drops', 'served_stale'])
      assert.equal(e.type.get(`coredns_cache_${f}_total`), 'counter');
  });

  it('never goes backwards: a retired source folds into totals; a retained store counts once', () => {
    const c = new CacheCollector();
    const store = fakeStore();
    store.stats['requests'] = 5;
    const removeOld = c.add(cacheStoreSource(store, ['.'], 's'));
    // A reload keeps the same store (same config): registered again from the new config.
    const removeNew = c.add(cacheStoreSource(store, ['.'], 's'));
    assert.equal(
      value(
        render((w) => c.collect(w)),
        'coredns_cache_requests_total',
      ),
      5,
    );
    removeOld();
    store.stats['requests'] = 7;
    assert.equal(
      value(
        render((w) => c.collect(w)),
        'coredns_cache_requests_total',
      ),
      7,
    );
    // Then a reload that changes the config: a fresh store replaces it.
    const fresh = fakeStore();
    c.add(cacheStoreSource(fresh, ['.'], 's'));
    removeNew();
    fresh.stats['requests'] = 1;
    assert.equal(
      value(
        render((w) => c.collect(w)),
        'coredns_cache_requests_total',
      ),
      8,
    );
    assert.deepEqual(c.hitTotals(), { hits: 0, requests: 8 });
  });
});

describe('forward collector', () => {
  it('renders coredns_proxy_* per upstream and the label-less forward counters', () => {
    const upstream = {
      label: '127.0.0.1:1053',
      stats: {
        connCacheHits: { udp: 3, tcp: 1 },
        connCacheMisses: { udp: 1, tcp: 1 },
        healthcheckFailures: 2,
        onDuration: undefined as ((to: string, rcode: number, s: number) => void) | undefined,
      },
    };
    const handler: ForwardHandlerLike = {
      stats: { healthcheckBroken: 1, maxConcurrentRejects: 0 },
      upstreams: [upstream],
    };
    const c = new ForwardCollector();
    const remove = c.add(forwardHandlerSource(handler));
    upstream.stats.onDuration?.('127.0.0.1:1053', 0, 0.003);
    upstream.stats.onDuration?.('127.0.0.1:1053', 3, 0.0001);
    const e = render((w) => c.collect(w, rcodeLabel));
    const to = { proxy_name: 'forward', to: '127.0.0.1:1053' };
    assert.equal(value(e, 'coredns_proxy_conn_cache_hits_total', { ...to, proto: 'udp' }), 3);
    assert.equal(value(e, 'coredns_proxy_healthcheck_failures_total', to), 2);
    assert.equal(
      value(e, 'coredns_proxy_request_duration_seconds_count', { ...to, rcode: 'NOERROR' }),
      1,
    );
    assert.equal(
      value(e, 'coredns_proxy_request_duration_seconds_count', { ...to, rcode: 'NXDOMAIN' }),
      1,
    );
    assert.equal(value(e, 'coredns_forward_healthcheck_broken_total'), 1);
    remove();
    const after = render((w) => c.collect(w, rcodeLabel));
    assert.equal(value(after, 'coredns_proxy_conn_cache_hits_total', { ...to, proto: 'udp' }), 3);
    assert.equal(
      value(after, 'coredns_proxy_request_duration_seconds_count', { ...to, rcode: 'NOERROR' }),
      1,
    );
    assert.equal(value(after, 'coredns_forward_healthcheck_broken_total'), 1);
  });
});
