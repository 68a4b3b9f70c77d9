// Drives the cache handler in-process: a scripted `next` plugin, a controllable clock, and
// requests built from real query bytes. No sockets; the integration tests cover those.

import {
  type Handler,
  type Outcome,
  type Request,
  type ResponseWriter,
  rcodeOf,
} from '../../../../src/chain/handler.ts';
import { DirectiveReader } from '../../../../src/corefile/model.ts';
import { parseCorefile } from '../../../../src/corefile/parse.ts';
import { type ScannedQuery, scanQuery } from '../../../../src/dns/query.ts';
import { CacheHandler } from '../../../../src/plugins/cache/cache.ts';
import { type CacheConfig, parseCache } from '../../../../src/plugins/cache/setup.ts';
import { CacheStore } from '../../../../src/plugins/cache/store.ts';
import { buildTestQuery, type QuerySpec } from '../../../helpers/client.ts';

export class RecordingWriter implements ResponseWriter {
  written = false;
  rcode = -1;
  size = 0;
  reply: Buffer | undefined;
  write(wire: Buffer): void {
    if (this.written) throw new Error('written twice');
    this.written = true;
    this.reply = wire;
    this.rcode = (wire[3] as number) & 0xf;
    this.size = wire.length;
  }
}

export function parseCacheLine(text: string, zones: readonly string[] = ['.']): CacheConfig {
  const corefile = parseCorefile(`. {\n${text}\n}\n`, 'Corefile');
  const line = corefile.blocks[0]?.directives[0];
  if (line === undefined) throw new Error('no directive');
  return parseCache(new DirectiveReader(line), { zones, port: 53 });
}

export function request(spec: QuerySpec & { cd?: boolean; transport?: 'udp' | 'tcp' }): Request {
  const wire = buildTestQuery(spec);
  if (spec.cd === true) wire.writeUInt16BE(wire.readUInt16BE(2) | 0x0010, 2);
  const query: ScannedQuery = scanQuery(wire);
  if (query.verdict !== 0) throw new Error(`bad test query: ${query.reason}`);
  const transport = spec.transport ?? 'udp';
  return {
    query,
    transport,
    remoteAddress: '127.0.0.1',
    remotePort: 5300,
    family: 1,
    server: 'dns://127.0.0.1:53',
    zone: '.',
    receivedAt: 0,
    sizeLimit: transport === 'tcp' ? 65535 : query.udpLimit,
  };
}

export type Upstream = (req: Request) => Buffer | undefined | Promise<Buffer | undefined>;

/** A `next` handler that answers with whatever `upstream` returns, counting calls. */
export class ScriptedNext implements Handler {
  readonly name = 'scripted';
  calls = 0;
  upstream: Upstream;
  constructor(upstream: Upstream) {
    this.upstream = upstream;
  }
  serveDNS(req: Request, w: ResponseWriter): Outcome {
    this.calls++;
    const answer = this.upstream(req);
    const finish = (wire: Buffer | undefined): number => {
      if (wire === undefined) return 2; // SERVFAIL, nothing written (a forward failure)
      w.write(wire, 'scripted');
      return 0;
    };
    return answer instanceof Promise ? answer.then(finish) : finish(answer);
  }
}

export interface CacheRig {
  readonly cache: CacheHandler;
  readonly store: CacheStore;
  readonly next: ScriptedNext;
  /** Moves the clock forward (ms). */
  advance(ms: number): void;
  ask(spec: Parameters<typeof request>[0]): Promise<RecordingWriter>;
}

export function cacheRig(line: string, upstream: Upstream): CacheRig {
  const config = parseCacheLine(line);
  const store = new CacheStore(config);
  const next = new ScriptedNext(upstream);
  let now = 1_000_000;
  const cache = new CacheHandler(next, config, store, ['.'], () => now);
  return {
    cache,
    store,
    next,
    advance(ms) {
      now += ms;
    },
    async ask(spec) {
      const w = new RecordingWriter();
      const result = await cache.serveDNS(request(spec), w);
      if (!w.written) w.rcode = rcodeOf(result);
      return w;
    },
  };
}
