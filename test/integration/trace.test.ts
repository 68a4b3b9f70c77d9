// trace against a Zipkin-compatible collector run here on loopback (an HTTP server taking
// POST /api/v2/spans): one span per traced query with CoreDNS's tags, `every`, `service`, and a
// reporter that batches, bounds its backlog, and drops rather than waits.

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { test } from 'node:test';
import { RRType } from '../../src/dns/constants.ts';
import type { ZipkinSpan } from '../../src/plugins/trace/zipkin.ts';
import { ZipkinReporter } from '../../src/plugins/trace/zipkin.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { query } from '../helpers/client.ts';
import { freePort } from '../helpers/ports.ts';
import { startAgent } from './agent-harness.ts';
import { until } from './observe-helpers.ts';

interface Collector {
  readonly url: string;
  /** Each POST's spans, in arrival order. */
  readonly posts: ZipkinSpan[][];
  spans(): ZipkinSpan[];
  close(): Promise<void>;
}

/** `respond: false` takes the POST and never answers (a stuck collector). */
async function startCollector(respond = true): Promise<Collector> {
  const posts: ZipkinSpan[][] = [];
  const held: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8').on('data', (s: string) => {
      body += s;
    });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/api/v2/spans') {
        res.writeHead(404).end();
        return;
      }
      posts.push(JSON.parse(body) as ZipkinSpan[]);
      if (respond) res.writeHead(202).end();
      else held.push(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/api/v2/spans`,
    posts,
    spans: () => posts.flat(),
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const HOSTS = 'hosts {\n    192.0.2.5 span.example\n  }';

function ask(port: number, name: string, proto: 'udp' | 'tcp', type: number = RRType.A) {
  return query({ host: '127.0.0.1', port, proto, name, type, timeoutMs: 3000 });
}

test('one span per query with the name, type, proto, remote and rcode tags', async (t) => {
  const collector = await startCollector();
  t.after(() => collector.close());
  const agent = await startAgent(
    t,
    `.:0 {\n  bind 127.0.0.1\n  trace ${collector.url} {\n    service nld-test\n    zipkin_max_batch_interval 100ms\n  }\n  ${HOSTS}\n}\n`,
  );
  await ask(agent.port, 'span.example.', 'udp');
  await ask(agent.port, 'span.example.', 'tcp', RRType.AAAA);
  await ask(agent.port, 'missing.example.', 'udp'); // hosts without fallthrough: SERVFAIL
  await until('three spans', () => collector.spans().length >= 3, 10_000);
  const spans = collector.spans();
  assert.deepEqual(
    spans.map((s) => [
      s.tags['coredns.io/name'],
      s.tags['coredns.io/type'],
      s.tags['coredns.io/proto'],
      s.tags['coredns.io/rcode'],
    ]),
    [
      ['span.example.', 'A', 'udp', 'NOERROR'],
      ['span.example.', 'AAAA', 'tcp', 'NOERROR'],
      ['missing.example.', 'A', 'udp', 'SERVFAIL'],
    ],
  );
  for (const s of spans) {
    assert.equal(s.name, 'servedns');
    assert.match(s.traceId, /^[0-9a-f]{16}$/);
    assert.match(s.id, /^[0-9a-f]{16}$/);
    assert.equal(s.localEndpoint.serviceName, 'nld-test');
    assert.equal(s.localEndpoint.ipv4, '127.0.0.1');
    assert.match(s.tags['coredns.io/remote'] ?? '', /^127\.0\.0\.1$/);
    assert.ok(Math.abs(s.timestamp / 1000 - Date.now()) < 60_000, 'microseconds since the epoch');
    assert.ok(s.duration >= 1 && s.duration < 10_000_000);
  }
  assert.equal(new Set(spans.map((s) => s.traceId)).size, 3, 'distinct trace IDs');
});

test('every 3 traces one query in three', async (t) => {
  const collector = await startCollector();
  t.after(() => collector.close());
  const agent = await startAgent(
    t,
    `.:0 {\n  bind 127.0.0.1\n  trace ${collector.url} {\n    every 3\n    zipkin_max_batch_interval 100ms\n  }\n  ${HOSTS}\n}\n`,
  );
  for (let i = 0; i < 9; i++) await ask(agent.port, 'span.example.', 'udp');
  // Three more queries under another name: one of them is traced, and its span is reported
  // after every span of the first nine, so once it is in nothing else of those can come.
  for (let i = 0; i < 3; i++) await ask(agent.port, 'marker.example.', 'udp');
  const named = (name: string) =>
    collector.spans().filter((s) => s.tags['coredns.io/name'] === name).length;
  await until('the marker span', () => named('marker.example.') >= 1);
  assert.equal(named('span.example.'), 3);
  assert.equal(named('marker.example.'), 1);
  assert.equal(collector.spans()[0]?.localEndpoint.serviceName, 'coredns', 'default service');
});

function span(i: number): ZipkinSpan {
  return {
    traceId: i.toString(16).padStart(16, '0'),
    id: i.toString(16).padStart(16, '0'),
    name: 'servedns',
    timestamp: Date.now() * 1000,
    duration: 5,
    localEndpoint: { serviceName: 'test' },
    tags: {},
  };
}

test('the reporter sends full batches at once and the rest on close', async (t) => {
  const collector = await startCollector();
  t.after(() => collector.close());
  const reporter = new ZipkinReporter(
    { url: collector.url, maxBacklog: 100, maxBatch: 5, batchIntervalMs: 60_000 },
    memoryLogger(),
  );
  for (let i = 0; i < 12; i++) reporter.report(span(i));
  await until('two full batches', () => collector.posts.length >= 2, 10_000);
  assert.deepEqual(
    collector.posts.map((p) => p.length),
    [5, 5],
  );
  await reporter.close();
  assert.deepEqual(
    collector.posts.map((p) => p.length),
    [5, 5, 2],
  );
  assert.equal(reporter.sent, 12);
  assert.equal(reporter.dropped, 0);
});

test('no collector or a stuck one: spans are dropped and counted, report() never waits', async (t) => {
  const log = memoryLogger();
  const absent = new ZipkinReporter(
    {
      url: `http://127.0.0.1:${await freePort()}/api/v2/spans`,
      maxBacklog: 10,
      maxBatch: 100,
      batchIntervalMs: 50,
    },
    log,
  );
  t.after(() => absent.close());
  const started = performance.now();
  for (let i = 0; i < 25; i++) absent.report(span(i));
  // Nominally well under a millisecond: a bound that only blocking work could break.
  assert.ok(performance.now() - started < 1000, 'report() returns at once');
  // Counted before any await: the bookkeeping is synchronous, nothing waited on the network.
  assert.equal(absent.dropped, 15, 'backlog bounded: the oldest 15 dropped');
  await until('the failed POST to drop the rest', () => absent.dropped === 25, 10_000);
  assert.ok(log.lines.some((l) => /failed to send 10 spans/.test(l)));

  const stuck = await startCollector(false);
  t.after(() => stuck.close());
  const slow = new ZipkinReporter(
    { url: stuck.url, maxBacklog: 100, maxBatch: 3, batchIntervalMs: 60_000, timeoutMs: 200 },
    memoryLogger(),
  );
  t.after(() => slow.close());
  for (let i = 0; i < 3; i++) slow.report(span(i));
  await until('the stuck POST to time out', () => slow.dropped === 3, 10_000);
  assert.equal(stuck.posts.length, 1, 'the collector got it but never answered');
});
