// The trace handler (CoreDNS plugin/trace/trace.go): one `servedns` span per traced query (one
// in `every`), with the query name, type, transport, client and rcode as tags, reported to Zipkin
// once the rest of the chain has answered. Span and trace IDs are random 64-bit hex.

import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Handler, Outcome, Request, ResponseWriter } from '../../chain/handler.ts';
import { PluginError, rcodeOf } from '../../chain/handler.ts';
import { Rcode, rcodeName, typeName } from '../../dns/constants.ts';
import { readName } from '../../dns/name.ts';
import type { TraceConfig } from './setup.ts';
import type { ZipkinReporter, ZipkinSpan } from './zipkin.ts';

export const PLUGIN_NAME = 'trace';
export const SPAN_NAME = 'servedns';

/** IDs come from a pool of random bytes refilled in blocks, not one syscall per span. */
class IdSource {
  #pool = Buffer.alloc(0);
  #at = 0;
  next(): string {
    if (this.#at + 8 > this.#pool.length) {
      this.#pool = randomBytes(8 * 256);
      this.#at = 0;
    }
    const id = this.#pool.toString('hex', this.#at, this.#at + 8);
    this.#at += 8;
    return id;
  }
}

export class TraceHandler implements Handler {
  readonly name = PLUGIN_NAME;
  readonly #next: Handler;
  readonly #config: TraceConfig;
  readonly #reporter: ZipkinReporter;
  readonly #ids = new IdSource();
  readonly #endpoint: ZipkinSpan['localEndpoint'];
  #count = 0;

  /** `listen`: the block's first listen host ('' = every address) and its port (CoreDNS's serviceEndpoint). */
  constructor(
    next: Handler,
    config: TraceConfig,
    reporter: ZipkinReporter,
    listen: { host: string; port: number },
  ) {
    this.#next = next;
    this.#config = config;
    this.#reporter = reporter;
    const family = isIP(listen.host);
    this.#endpoint = {
      serviceName: config.serviceName,
      ...(family === 4 && { ipv4: listen.host }),
      ...(family === 6 && { ipv6: listen.host }),
      ...(listen.port > 0 && { port: listen.port }),
    };
  }

  serveDNS(req: Request, w: ResponseWriter): Outcome {
    // CoreDNS: the Nth query is traced when N (counted from 1) is a multiple of `every`.
    if (++this.#count % this.#config.every !== 0) return this.#next.serveDNS(req, w);
    const startedAt = performance.now();
    const finish = (rcode: number): void => this.#report(req, w, startedAt, rcode);
    let outcome: Outcome;
    try {
      outcome = this.#next.serveDNS(req, w);
    } catch (err) {
      finish(err instanceof PluginError ? err.rcode : Rcode.SERVFAIL);
      throw err;
    }
    if (!(outcome instanceof Promise)) {
      finish(rcodeOf(outcome));
      return outcome;
    }
    return outcome.then(
      (result) => {
        finish(rcodeOf(result));
        return result;
      },
      (err: unknown) => {
        finish(err instanceof PluginError ? err.rcode : Rcode.SERVFAIL);
        throw err;
      },
    );
  }

  #report(req: Request, w: ResponseWriter, startedAt: number, returned: number): void {
    const q = req.query;
    const traceId = this.#ids.next();
    const rcode = w.written ? w.rcode : returned;
    const remote = req.family === 2 ? `[${req.remoteAddress}]` : req.remoteAddress;
    this.#reporter.report({
      traceId,
      id: traceId,
      name: SPAN_NAME,
      timestamp: Math.round((performance.timeOrigin + startedAt) * 1000),
      duration: Math.max(1, Math.round((performance.now() - startedAt) * 1000)),
      localEndpoint: this.#endpoint,
      tags: {
        'coredns.io/name': q.qnameEnd > 0 ? readName(q.wire, 12) : '',
        'coredns.io/type': typeName(q.qtype),
        'coredns.io/proto': req.transport,
        'coredns.io/remote': remote,
        'coredns.io/rcode': rcodeName(rcode),
      },
      ...(this.#config.clientServer && { kind: 'SERVER' as const }),
    });
  }
}
