// Parsing `trace` lines: endpoint forms (CoreDNS's normalizeEndpoint), options, and errors.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTrace, type TraceConfig } from '../../../../src/plugins/trace/setup.ts';
import { assertLineErrors, parseLine } from '../directive-errors.ts';

const parse = (body: string): TraceConfig => parseLine(body, parseTrace);

test('endpoints and options', () => {
  assert.deepEqual(parse('trace'), {
    endpoint: 'http://localhost:9411/api/v2/spans',
    every: 1,
    serviceName: 'coredns',
    clientServer: false,
    maxBacklog: 1000,
    maxBatch: 100,
    batchIntervalMs: 1000,
  });
  assert.equal(parse('trace 127.0.0.1:9411').endpoint, 'http://127.0.0.1:9411/api/v2/spans');
  assert.equal(parse('trace zipkin http://z:9411/x').endpoint, 'http://z:9411/x');
  assert.equal(parse('trace ZIPKIN z:1').endpoint, 'http://z:1/api/v2/spans');
  const c = parse(
    'trace {\nevery 100\nservice dns\nclient_server\nzipkin_max_backlog_size 5\nzipkin_max_batch_size 2\nzipkin_max_batch_interval 250ms\n}',
  );
  assert.deepEqual(
    [c.every, c.serviceName, c.clientServer, c.maxBacklog, c.maxBatch, c.batchIntervalMs],
    [100, 'dns', true, 5, 2, 250],
  );
  assert.equal(parse('trace {\nclient_server false\n}').clientServer, false);
});

test('bad lines are errors at their line', () => {
  assertLineErrors('trace', parseTrace, [
    ['trace a b c', 2, /wrong argument count/],
    ['trace datadog localhost:8126', 2, /'datadog' is not supported/],
    ['trace jaeger x:1', 2, /tracing endpoint type 'jaeger' is not supported/],
    ['trace {\nevery 0\n}', 3, /every: invalid number '0'/],
    ['trace {\nevery x\n}', 3, /every: invalid number/],
    ['trace {\nservice\n}', 3, /wrong argument count/],
    ['trace {\nclient_server maybe\n}', 3, /invalid boolean 'maybe'/],
    ['trace {\nzipkin_max_batch_interval 10\n}', 3, /zipkin_max_batch_interval/],
    ['trace {\nzipkin_max_batch_interval 0s\n}', 3, /must be positive/],
    ['trace {\nsampling 1\n}', 3, /unknown property 'sampling'/],
  ]);
});
