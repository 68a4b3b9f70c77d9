// `trace [ENDPOINT_TYPE] [ENDPOINT] { every N; service NAME; client_server [BOOL];
// zipkin_max_backlog_size N; zipkin_max_batch_size N; zipkin_max_batch_interval DURATION }`
// → TraceConfig (CoreDNS plugin/trace/setup.go). Only the zipkin endpoint type is supported.

import type { DirectiveReader } from '../../corefile/model.ts';
import { parseTimerDuration } from '../../util/duration.ts';

export interface TraceConfig {
  /** The Zipkin v2 spans URL (`http://HOST:PORT/api/v2/spans` unless given as a URL). */
  readonly endpoint: string;
  /** Trace one query in `every` (default 1: all). */
  readonly every: number;
  readonly serviceName: string;
  readonly clientServer: boolean;
  /** Spans kept waiting for the collector; the oldest are dropped beyond it (zipkin-go: 1000). */
  readonly maxBacklog: number;
  /** Spans per POST (zipkin-go: 100). */
  readonly maxBatch: number;
  /** Longest wait before a partial batch is sent, ms (zipkin-go: 1 s). */
  readonly batchIntervalMs: number;
}

const DEFAULT_ZIPKIN = 'localhost:9411';

export function parseTrace(d: DirectiveReader): TraceConfig {
  const args = d.expectArgs(0, 2);
  let type = 'zipkin';
  let endpoint = DEFAULT_ZIPKIN;
  if (args.length === 1) endpoint = args[0] as string;
  if (args.length === 2) {
    type = (args[0] as string).toLowerCase();
    endpoint = args[1] as string;
  }
  if (type !== 'zipkin')
    throw d.error(
      'ERR_COREFILE_VALUE',
      type === 'datadog'
        ? "tracing endpoint type 'datadog' is not supported in nodelocaldns (zipkin only)"
        : `tracing endpoint type '${type}' is not supported`,
    );
  // CoreDNS's rule: anything without "http" in it is HOST:PORT.
  if (!endpoint.includes('http')) endpoint = `http://${endpoint}/api/v2/spans`;
  try {
    const url = new URL(endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw d.error('ERR_COREFILE_VALUE', `invalid zipkin endpoint '${endpoint}'`);
  }
  const config = {
    endpoint,
    every: 1,
    serviceName: 'coredns',
    clientServer: false,
    maxBacklog: 1000,
    maxBatch: 100,
    batchIntervalMs: 1000,
  };
  for (const o of d.options()) {
    o.expectNoBlock();
    const name = o.directive.name;
    const count = (min: number): number => {
      const text = o.expectArgs(1)[0] as string;
      const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!(n >= min && n <= Number.MAX_SAFE_INTEGER))
        throw o.error('ERR_COREFILE_VALUE', `${name}: invalid number '${text}'`);
      return n;
    };
    switch (name) {
      case 'every':
        config.every = count(1);
        break;
      case 'service':
        config.serviceName = o.expectArgs(1)[0] as string;
        break;
      case 'client_server': {
        const [value] = o.expectArgs(0, 1);
        if (value !== undefined && !/^(true|false|1|0|t|f)$/i.test(value))
          throw o.error('ERR_COREFILE_VALUE', `client_server: invalid boolean '${value}'`);
        config.clientServer = value === undefined || /^(true|1|t)$/i.test(value);
        break;
      }
      case 'zipkin_max_backlog_size':
        config.maxBacklog = count(1);
        break;
      case 'zipkin_max_batch_size':
        config.maxBatch = count(1);
        break;
      case 'zipkin_max_batch_interval': {
        const text = o.expectArgs(1)[0] as string;
        try {
          config.batchIntervalMs = parseTimerDuration(text);
        } catch (err) {
          throw o.error('ERR_COREFILE_VALUE', `${name}: ${(err as Error).message}`);
        }
        if (config.batchIntervalMs <= 0)
          throw o.error('ERR_COREFILE_VALUE', `${name} must be positive: ${text}`);
        break;
      }
      default:
        throw o.unknownOption();
    }
  }
  return config;
}
