// One HTTP listener per address, shared by every block and plugin that names it (CoreDNS shares
// a prometheus listener per address the same way). Listeners outlive configs: a reload stages the
// routes it wants, binds only new addresses, then swaps routes in; an address no config wants any
// more is closed. Nothing is rebound for an address that stays.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '../util/log.ts';
import { createServer } from '../util/node-http.ts';
import type { HttpAddress } from './address.ts';

/** A handler may be async (a scrape that asks the workers); a rejection is a 500. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => unknown;
export type Routes = ReadonlyMap<string, HttpHandler>;

/** CoreDNS (v1.14) uses 5 s read, write and idle timeouts on its HTTP servers. */
const TIMEOUT_MS = 5000;

class HttpListener {
  readonly address: HttpAddress;
  readonly server: Server;
  routes: Routes = new Map();
  port = 0;

  constructor(address: HttpAddress, log: Logger) {
    this.address = address;
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const handler = this.routes.get(path);
      if (handler === undefined) {
        res
          .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
          .end('404 page not found\n');
        return;
      }
      const fail = (err: unknown): void => {
        log.error(`http ${path}: ${(err as Error).message}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      };
      try {
        const result = handler(req, res);
        if (result instanceof Promise) result.catch(fail);
      } catch (err) {
        fail(err);
      }
    });
    this.server.requestTimeout = TIMEOUT_MS;
    this.server.headersTimeout = TIMEOUT_MS;
    this.server.keepAliveTimeout = TIMEOUT_MS;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      const host = this.address.host === '' ? '::' : this.address.host;
      // reusePort, as CoreDNS: the next agent of a rolling upgrade binds health and metrics too
      this.server.listen(
        { port: this.address.port, host, ipv6Only: false, reusePort: true },
        () => {
          this.server.off('error', reject);
          const a = this.server.address();
          this.port = typeof a === 'object' && a !== null ? a.port : this.address.port;
          resolve();
        },
      );
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }
}

/** The routes one config wants, per address; built during setup, applied on commit. */
export class StagedRoutes {
  readonly wanted = new Map<string, { address: HttpAddress; routes: Map<string, HttpHandler> }>();

  add(address: HttpAddress, path: string, handler: HttpHandler): void {
    let entry = this.wanted.get(address.key);
    if (entry === undefined) {
      entry = { address, routes: new Map() };
      this.wanted.set(address.key, entry);
    }
    entry.routes.set(path, handler);
  }
}

export class HttpPool {
  readonly #listeners = new Map<string, HttpListener>();
  readonly #pending = new Map<StagedRoutes, HttpListener[]>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Binds the addresses the staged config adds; on failure closes them again and throws. */
  async prepare(staged: StagedRoutes): Promise<void> {
    const created: HttpListener[] = [];
    try {
      for (const [key, { address }] of staged.wanted) {
        if (this.#listeners.has(key)) continue;
        const listener = new HttpListener(address, this.#log);
        await listener.listen();
        created.push(listener);
      }
    } catch (err) {
      await Promise.all(created.map((l) => l.close()));
      throw err;
    }
    this.#pending.set(staged, created);
  }

  /** Swaps the staged routes in and closes listeners no longer wanted. */
  commit(staged: StagedRoutes): void {
    for (const l of this.#pending.get(staged) ?? []) this.#listeners.set(l.address.key, l);
    this.#pending.delete(staged);
    for (const [key, l] of this.#listeners) {
      const want = staged.wanted.get(key);
      if (want !== undefined) {
        l.routes = want.routes;
      } else {
        this.#listeners.delete(key);
        void l.close();
      }
    }
  }

  async abort(staged: StagedRoutes): Promise<void> {
    const created = this.#pending.get(staged) ?? [];
    this.#pending.delete(staged);
    await Promise.all(created.map((l) => l.close()));
  }

  /** Bound listeners with their actual ports (port 0 resolved). */
  addresses(): Array<{ host: string; port: number; key: string }> {
    return [...this.#listeners.values()].map((l) => ({
      host: l.address.host,
      port: l.port,
      key: l.address.key,
    }));
  }

  /** The listener an address key (`host|port` as configured) got. */
  port(key: string): number | undefined {
    return this.#listeners.get(key)?.port;
  }

  async close(): Promise<void> {
    const all = [...this.#listeners.values()];
    this.#listeners.clear();
    await Promise.all(all.map((l) => l.close()));
  }
}
