// Drives the forward handler directly: a Corefile line → handler, fake requests, a recording
// writer, and a next plugin that records being called.

import {
  type Handler,
  PluginFailure,
  type Request,
  type ResponseWriter,
} from '../../../src/chain/handler.ts';
import { DirectiveReader } from '../../../src/corefile/model.ts';
import { parseCorefile } from '../../../src/corefile/parse.ts';
import { buildQuery } from '../../../src/dns/build.ts';
import { nameToWire } from '../../../src/dns/name.ts';
import { scanQuery } from '../../../src/dns/query.ts';
import type { ForwardConfig } from '../../../src/plugins/forward/config.ts';
import {
  DEFAULT_FORWARD_TUNING,
  ForwardHandler,
  type ForwardTuning,
} from '../../../src/plugins/forward/forward.ts';
import { parseForward } from '../../../src/plugins/forward/setup.ts';
import { memoryLogger } from '../../../src/util/log.ts';

export class RecordingWriter implements ResponseWriter {
  written = false;
  rcode = -1;
  size = 0;
  reply: Buffer | undefined = undefined;
  plugin = '';
  write(wire: Buffer, plugin: string): void {
    if (this.written) throw new Error('second write');
    this.written = true;
    this.reply = Buffer.from(wire);
    this.rcode = wire.readUInt16BE(2) & 0xf;
    this.size = wire.length;
    this.plugin = plugin;
  }
}

/** A next plugin that answers REFUSED-without-writing and counts calls. */
export class NextRecorder implements Handler {
  readonly name = 'next';
  calls = 0;
  serveDNS(): number {
    this.calls++;
    return 5;
  }
}

export function forwardConfig(line: string): ForwardConfig {
  const corefile = parseCorefile(`. {\n${line}\n}\n`, 'Corefile');
  const directive = corefile.blocks[0]?.directives[0];
  if (directive === undefined) throw new Error('no directive');
  return parseForward(new DirectiveReader(directive));
}

/** Short timeouts so failure tests stay well under the per-file budget. */
export const FAST: ForwardTuning = {
  ...DEFAULT_FORWARD_TUNING,
  readTimeoutMs: 300,
  connectTimeoutMs: 300,
  probeTimeoutMs: 200,
  windowMs: 1500,
};

export function makeForward(
  line: string,
  tuning: ForwardTuning = FAST,
  next: Handler = new NextRecorder(),
): ForwardHandler {
  return new ForwardHandler(forwardConfig(line), memoryLogger(), next, tuning);
}

let nextId = 1;

export function request(
  name: string,
  opts: { transport?: 'udp' | 'tcp'; qtype?: number; id?: number; edns?: boolean } = {},
): Request {
  const id = opts.id ?? nextId++ & 0xffff;
  const wire = buildQuery(id, nameToWire(name), opts.qtype ?? 1, { edns: opts.edns ?? false });
  const query = scanQuery(wire);
  const transport = opts.transport ?? 'udp';
  return {
    query,
    transport,
    remoteAddress: '127.0.0.1',
    remotePort: 40000,
    family: 1,
    server: 'dns://127.0.0.1:53',
    zone: '.',
    receivedAt: performance.now(),
    sizeLimit: transport === 'tcp' ? 65535 : query.udpLimit,
  };
}

/** Runs one query; resolves with the writer and the rcode, or the error thrown/rejected. */
export async function run(
  fwd: Handler,
  req: Request,
): Promise<{
  w: RecordingWriter;
  rcode: number | undefined;
  error: (Error & { rcode?: number }) | undefined;
  ms: number;
}> {
  const w = new RecordingWriter();
  const start = performance.now();
  try {
    const result = await fwd.serveDNS(req, w);
    // An expected failure comes back as a value; tests read it as they read a thrown error.
    if (result instanceof PluginFailure)
      return {
        w,
        rcode: undefined,
        error: result as unknown as Error & { rcode?: number },
        ms: performance.now() - start,
      };
    return { w, rcode: result, error: undefined, ms: performance.now() - start };
  } catch (err) {
    return {
      w,
      rcode: undefined,
      error: err as Error & { rcode?: number },
      ms: performance.now() - start,
    };
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
