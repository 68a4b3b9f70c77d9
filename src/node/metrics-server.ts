// The agent's own /metrics listener (node-cache's -metrics-listen-address, default 0.0.0.0:9353)
// serving coredns_nodecache_setup_errors_total. A bad address is logged and the listener skipped,
// as node-cache does.

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseHttpAddress } from '../http/address.ts';
import type { Logger } from '../util/log.ts';
import { createServer } from '../util/node-http.ts';
import type { SetupErrors } from './setup-errors.ts';

/** `host:port`, `[v6]:port` or `:port` → listen arguments; undefined when unusable. */
export function parseListenAddress(
  text: string,
): { host: string | undefined; port: number } | undefined {
  // one grammar for every HTTP listen address (src/http/address.ts)
  const parsed = parseHttpAddress(text);
  if (typeof parsed === 'string') return undefined;
  return { host: parsed.host === '' ? undefined : parsed.host, port: parsed.port };
}

export interface MetricsListener {
  readonly address: AddressInfo;
  close(): Promise<void>;
}

export async function startMetricsServer(
  address: string,
  errors: SetupErrors,
  log: Logger,
): Promise<MetricsListener | undefined> {
  if (address === '') return undefined;
  const parsed = parseListenAddress(address);
  if (parsed === undefined) {
    log.error(
      `metrics: invalid -metrics-listen-address "${address}"; not serving setup error metrics`,
    );
    return undefined;
  }
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(errors.exposition());
    } else {
      res.writeHead(404).end();
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: parsed.port, host: parsed.host, reusePort: true }, () => resolve());
    });
  } catch (e) {
    log.error(
      `metrics: listen on ${address}: ${e instanceof Error ? e.message : String(e)}; not serving setup error metrics`,
    );
    return undefined;
  }
  log.info(`metrics: serving setup error metrics on ${address}`);
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
