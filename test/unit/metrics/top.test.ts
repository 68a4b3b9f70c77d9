import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request, ResponseWriter } from '../../../src/chain/handler.ts';
import { buildQuery } from '../../../src/dns/build.ts';
import { nameToWire } from '../../../src/dns/name.ts';
import { scanQuery } from '../../../src/dns/query.ts';
import { HeavyHitters } from '../../../src/plugins/prometheus/sketch.ts';
import {
  latencyBucket,
  latencyBucketBound,
  searchListMiss,
  TopStats,
  wireKeyName,
} from '../../../src/plugins/prometheus/top.ts';

function req(name: string, client: string): Request {
  return {
    query: scanQuery(buildQuery(7, nameToWire(name), 1)),
    transport: 'udp',
    remoteAddress: client,
    remotePort: 1,
    family: 1,
    server: 's',
    zone: '.',
    receivedAt: 0,
    sizeLimit: 512,
  };
}
const w = (rcode: number): ResponseWriter => ({
  written: true,
  rcode,
  size: 0,
  reply: undefined,
  write() {},
});

describe('heavy hitters', () => {
  it('keeps at most capacity counters under a flood of unique keys and still finds the heavy ones', () => {
    const s = new HeavyHitters(50);
    for (let i = 0; i < 20_000; i++) {
      s.add(`unique-${i}`);
      if (i % 4 === 0) s.add('heavy');
    }
    assert.ok(s.size <= 50);
    assert.equal(s.top(1)[0]?.key, 'heavy');
    const before = s.top(1)[0]?.count ?? 0;
    s.decay();
    assert.equal(s.top(1)[0]?.count, Math.floor(before / 2));
  });
});

describe('search-path detection', () => {
  const d = ['cluster.local.'];
  it('recognises the ndots expansions of a dotted name', () => {
    assert.deepEqual(searchListMiss('api.example.com.cluster.local.', d), {
      origin: 'api.example.com.',
    });
    assert.deepEqual(searchListMiss('api.example.com.default.svc.cluster.local.', d), {
      origin: undefined,
    });
    assert.deepEqual(searchListMiss('api.example.com.svc.cluster.local.', d), {
      origin: undefined,
    });
  });
  it('leaves real service, pod and SRV names alone', () => {
    assert.equal(searchListMiss('web.default.svc.cluster.local.', d), undefined);
    assert.equal(searchListMiss('10-0-0-1.default.pod.cluster.local.', d), undefined);
    assert.equal(searchListMiss('_http._tcp.web.default.svc.cluster.local.', d), undefined);
    assert.equal(searchListMiss('example.com.', d), undefined);
    assert.equal(searchListMiss('web.cluster.local.', d), undefined);
  });
});

describe('top stats', () => {
  it('reports qps, NXDOMAIN share, percentiles, names, clients and search misses', () => {
    const t = new TopStats();
    t.tick(0);
    for (let i = 0; i < 4000; i++) {
      t.record(req('Web.Default.svc.cluster.local', `10.0.0.${i % 3}`), w(0), 0, 0.2);
      if (i % 4 === 0) t.record(req('api.example.com.cluster.local', '10.0.0.9'), w(3), 3, 2);
    }
    t.tick(1000);
    const r = t.report();
    assert.equal(r.qps, 5000);
    assert.equal(r.nxdomainShare, 0.2);
    assert.equal(r.topNames[0]?.name, 'web.default.svc.cluster.local.');
    assert.equal(r.topNames[0]?.type, 'A');
    assert.equal(r.topClients.length, 4);
    assert.equal(r.searchPath.topNames[0]?.name, 'api.example.com.');
    assert.ok(r.searchPath.share !== null && r.searchPath.share > 0.1 && r.searchPath.share < 0.3);
    assert.ok(r.latencyMs.p50 !== null && r.latencyMs.p50 >= 0.2 && r.latencyMs.p50 < 0.3);
    assert.ok(r.latencyMs.p99 !== null && r.latencyMs.p99 >= 2);
  });

  it('has latency buckets that contain their values', () => {
    for (const ms of [0.0005, 0.003, 0.05, 0.3, 1, 7.5, 120, 5000]) {
      const b = latencyBucket(ms);
      assert.ok(ms <= latencyBucketBound(b), `${ms} in bucket ${b}`);
      if (b > 0) assert.ok(ms >= latencyBucketBound(b - 1));
    }
  });

  it('prints wire names with escapes', () => {
    assert.equal(wireKeyName('\x01a\x03b.c\x00'), 'a.b\\046c.');
  });
});
