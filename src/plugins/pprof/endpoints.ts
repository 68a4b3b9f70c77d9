// The /debug/pprof endpoints, Node's counterparts of Go's net/http/pprof: a CPU profile over N
// seconds from the V8 inspector (a .cpuprofile for Chrome DevTools or speedscope), a sampled
// allocation profile over N seconds (a .heapprofile: where the garbage comes from, as Go's
// `allocs`), a V8 heap snapshot (a .heapsnapshot), and an index with event-loop delay and GC
// figures.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Session as InspectorSession } from 'node:inspector/promises';
import { getHeapSnapshot } from 'node:v8';
import { requireBuiltin } from '../../util/builtin.ts';
import type { RuntimeStats } from './runtime-stats.ts';

export const DEFAULT_PROFILE_SECONDS = 30;
export const MAX_PROFILE_SECONDS = 300;
/**
 * Mean bytes between two allocation samples (V8's default is 32 KiB). Every sample is kept,
 * garbage included, first in V8 and then in the JSON the agent builds on its own heap: a miss
 * storm allocates ~170 MB/s, so 32 KiB over 300 s would be ~1.5 million samples, enough to
 * push the agent into its heap limit. 256 KiB and at most 60 s keep it to ~40k samples at
 * worst, still thousands in a few seconds of load.
 */
export const ALLOCATION_SAMPLE_BYTES = 256 * 1024;
export const MAX_ALLOCATION_SECONDS = 60;

/** One kind of timed inspector profile: how to start it, stop it and name the file. */
interface TimedProfile {
  readonly what: string;
  readonly maxSeconds: number;
  readonly start: (session: InspectorSession) => Promise<unknown>;
  readonly stop: (session: InspectorSession) => Promise<unknown>;
  readonly filename: string;
}

const CPU_PROFILE: TimedProfile = {
  what: 'CPU profile',
  maxSeconds: MAX_PROFILE_SECONDS,
  start: async (session) => {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  },
  stop: async (session) => (await session.post('Profiler.stop')).profile,
  filename: 'nodelocaldns.cpuprofile',
};

const ALLOCATION_PROFILE: TimedProfile = {
  what: 'allocation profile',
  maxSeconds: MAX_ALLOCATION_SECONDS,
  start: (session) =>
    session.post('HeapProfiler.startSampling', {
      samplingInterval: ALLOCATION_SAMPLE_BYTES,
      // Every allocation, not only what is still alive when sampling stops: short-lived garbage
      // is what makes the collector work, and it is gone by then.
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    }),
  stop: async (session) => (await session.post('HeapProfiler.stopSampling')).profile,
  filename: 'nodelocaldns.heapprofile',
};

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
        '/debug/pprof/allocs?seconds=N': `allocations sampled over N seconds (default ${DEFAULT_PROFILE_SECONDS}, at most ${MAX_ALLOCATION_SECONDS}), garbage included, .heapprofile JSON`,
        '/debug/pprof/heap':
          'V8 heap snapshot, .heapsnapshot JSON (pauses the process while taken)',
      },
      ...this.#stats.snapshot(),
    };
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(`${JSON.stringify(body, null, 2)}\n`);
  };

  profile = (req: IncomingMessage, res: ServerResponse): void => this.#timed(req, res, CPU_PROFILE);

  allocs = (req: IncomingMessage, res: ServerResponse): void =>
    this.#timed(req, res, ALLOCATION_PROFILE);

  /** One timed profile at a time, of either kind: both use the one inspector of the process. */
  #timed(req: IncomingMessage, res: ServerResponse, kind: TimedProfile): void {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const text = query.get('seconds') ?? String(DEFAULT_PROFILE_SECONDS);
    const seconds = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!(seconds >= 1 && seconds <= kind.maxSeconds)) {
      fail(res, 400, `seconds must be an integer from 1 to ${kind.maxSeconds}`);
      return;
    }
    if (this.#profiling) {
      fail(res, 409, 'a profile is already being taken');
      return;
    }
    this.#profiling = true;
    void this.#take(kind, seconds, res).finally(() => {
      this.#profiling = false;
    });
  }

  heap = (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-disposition': 'attachment; filename="nodelocaldns.heapsnapshot"',
    });
    const snapshot = getHeapSnapshot();
    snapshot.on('error', () => res.destroy());
    snapshot.pipe(res);
  };

  async #take(kind: TimedProfile, seconds: number, res: ServerResponse): Promise<void> {
    // Loaded here, not imported: most agents never take a profile (util/builtin.ts).
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
      await kind.start(session);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, seconds * 1000);
        res.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      const profile = await kind.stop(session);
      if (aborted) return;
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'content-disposition': `attachment; filename="${kind.filename}"`,
        })
        .end(JSON.stringify(profile));
    } catch (err) {
      if (!res.headersSent) fail(res, 500, `${kind.what} failed: ${(err as Error).message}`);
    } finally {
      session.disconnect();
    }
  }
}
