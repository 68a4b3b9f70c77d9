// The /debug/pprof endpoints, Node's counterparts of Go's net/http/pprof: a CPU profile over N
// seconds from the V8 inspector (a .cpuprofile for Chrome DevTools or speedscope), a V8 heap
// snapshot (a .heapsnapshot), and an index with event-loop delay and GC figures.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Session as InspectorSession } from 'node:inspector/promises';
import { getHeapSnapshot } from 'node:v8';
import { requireBuiltin } from '../../util/builtin.ts';
import type { RuntimeStats } from './runtime-stats.ts';

export const DEFAULT_PROFILE_SECONDS = 30;
export const MAX_PROFILE_SECONDS = 300;

function fail(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

export class PprofEndpoints {
  readonly #stats: RuntimeStats;
  #profiling = false;

  constructor(stats: RuntimeStats) {
    this.#stats = stats;
  }

  index = (_req: IncomingMessage, res: ServerResponse): void => {
    const body = {
      endpoints: {
        '/debug/pprof/profile?seconds=N': `CPU profile over N seconds (default ${DEFAULT_PROFILE_SECONDS}), .cpuprofile JSON`,
        '/debug/pprof/heap':
          'V8 heap snapshot, .heapsnapshot JSON (pauses the process while taken)',
      },
      ...this.#stats.snapshot(),
    };
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(`${JSON.stringify(body, null, 2)}\n`);
  };

  profile = (req: IncomingMessage, res: ServerResponse): void => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const text = query.get('seconds') ?? String(DEFAULT_PROFILE_SECONDS);
    const seconds = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(seconds >= 1 && seconds <= MAX_PROFILE_SECONDS)) {
      fail(res, 400, `seconds must be an integer from 1 to ${MAX_PROFILE_SECONDS}`);
      return;
    }
    if (this.#profiling) {
      fail(res, 409, 'a CPU profile is already being taken');
      return;
    }
    this.#profiling = true;
    void this.#cpuProfile(seconds, res).finally(() => {
      this.#profiling = false;
    });
  };

  heap = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-disposition': 'attachment; filename="nodelocaldns.heapsnapshot"',
    });
    const snapshot = getHeapSnapshot();
    snapshot.on('error', () => res.destroy());
    snapshot.pipe(res);
  };

  async #cpuProfile(seconds: number, res: ServerResponse): Promise<void> {
    // Loaded here, not imported: most agents never take a CPU profile (util/builtin.ts).
    const { Session } = requireBuiltin('node:inspector/promises') as {
      Session: new () => InspectorSession;
    };
    const session = new Session();
    session.connect();
    let aborted = false;
    res.once('close', () => {
      aborted = !res.writableFinished;
    });
    try {
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, seconds * 1000);
        res.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      const { profile } = await session.post('Profiler.stop');
      if (aborted) return;
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'content-disposition': 'attachment; filename="nodelocaldns.cpuprofile"',
        })
        .end(JSON.stringify(profile));
    } catch (err) {
      if (!res.headersSent) fail(res, 500, `profile failed: ${(err as Error).message}`);
    } finally {
      session.disconnect();
    }
  }
}
