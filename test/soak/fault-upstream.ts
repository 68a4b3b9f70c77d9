// An upstream whose misbehaviour is switched at run time, for the soak test: healthy, slow,
// down (nothing listens: UDP port unreachable, TCP refused), flapping, garbage, mismatched IDs,
// truncated TCP frames, resets mixed with half frames. Built on the scripted fake upstream
// (test/helpers/fake-upstream.ts); "down" stops it and starts it again on the same port.

import { frame } from '../../src/dns/framing.ts';
import { type Action, type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse } from '../helpers/response.ts';

export const FAULT_MODES = [
  'healthy',
  'slow',
  'down',
  'flapping',
  'garbage',
  'mismatched-id',
  'truncated-frames',
  'resets',
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** How long each half of a flap lasts (down, then up). */
const FLAP_MS = 400;

export interface FaultUpstream {
  readonly address: string;
  readonly mode: FaultMode;
  /** Switches behaviour; resolves once the upstream is listening or stopped as the mode says. */
  setMode(mode: FaultMode): Promise<void>;
  /** Queries seen per mode (both transports). */
  readonly seen: Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

/** A deterministic stream of numbers in [0, 1) (mulberry32), so a run can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The healthy answer: NXDOMAIN for names starting `nx`, else one A record. */
function healthyAnswer(wire: Buffer, qname: string): Buffer {
  if (qname.toLowerCase().startsWith('nx'))
    return buildResponse({ query: wire, rcode: 3, answer: [] });
  return buildResponse({
    query: wire,
    answer: [{ name: qname, type: 'A', ttl: 5, address: '192.0.2.7' }],
  });
}

export async function startFaultUpstream(seed = 1): Promise<FaultUpstream> {
  const random = seededRandom(seed);
  let mode: FaultMode = 'healthy';
  const seen: Record<string, number> = {};
  let port = 0;

  const act = (wire: Buffer, qname: string, proto: 'udp' | 'tcp'): Action => {
    seen[mode] = (seen[mode] ?? 0) + 1;
    const good = healthyAnswer(wire, qname);
    const r = random();
    switch (mode) {
      case 'healthy':
      case 'flapping':
      case 'down': // a query that raced the stop
        return { kind: 'reply', wire: good };
      case 'slow':
        // Some answers land after the agent's 2 s read timeout: late answers must be ignored.
        return { kind: 'reply', wire: good, delayMs: Math.floor(100 + r * 2600) };
      case 'garbage': {
        const junk = Buffer.from(
          Array.from({ length: 1 + Math.floor(r * 40) }, () => random() * 256),
        );
        // Over TCP: half the time framed junk, half the time unframed (a bogus length prefix).
        return r < 0.5 && proto === 'tcp'
          ? { kind: 'raw', bytes: frame(junk) }
          : { kind: 'raw', bytes: junk };
      }
      case 'mismatched-id': {
        const wrong = Buffer.from(good);
        wrong.writeUInt16BE((wrong.readUInt16BE(0) + 1 + Math.floor(r * 1000)) & 0xffff, 0);
        return { kind: 'reply', wire: wrong };
      }
      case 'truncated-frames': {
        const framed = frame(good);
        const cut = 1 + Math.floor(r * (framed.length - 1));
        return r < 0.7
          ? { kind: 'close', partial: framed.subarray(0, cut) }
          : { kind: 'raw', bytes: framed.subarray(0, cut) }; // half a frame, connection left open
      }
      case 'resets': {
        const framed = frame(good);
        const cut = 1 + Math.floor(r * (framed.length - 1));
        if (r < 0.4) return { kind: 'close', partial: framed.subarray(0, cut), reset: true };
        if (r < 0.6) return { kind: 'close', reset: true, delayMs: Math.floor(r * 50) };
        // The rest answer, so pooled connections carry queries in flight when the next reset comes.
        return { kind: 'reply', wire: good, delayMs: Math.floor(r * 30) };
      }
    }
  };

  const start = async (): Promise<FakeUpstream> => {
    let lastError: unknown;
    // The port was ours a moment ago; another process may take it while we are "down".
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const server = await startFakeUpstream(
          (q, proto) => act(q.wire, q.qname, proto),
          port === 0 ? {} : { port },
        );
        port = server.port;
        return server;
      } catch (err) {
        lastError = err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw lastError;
  };

  let server: FakeUpstream | undefined = await start();
  const address = server.address;
  let flapTimer: NodeJS.Timeout | undefined;
  let transition: Promise<void> = Promise.resolve();

  const up = async (): Promise<void> => {
    server ??= await start();
  };
  const down = async (): Promise<void> => {
    const s = server;
    server = undefined;
    await s?.stop();
  };
  const flap = (isUp: boolean): void => {
    flapTimer = setTimeout(() => {
      transition = transition
        .then(() => (isUp ? down() : up()))
        .then(() => {
          if (mode === 'flapping') flap(!isUp);
        });
    }, FLAP_MS);
  };

  return {
    address,
    get mode() {
      return mode;
    },
    seen,
    setMode(next) {
      if (flapTimer !== undefined) clearTimeout(flapTimer);
      flapTimer = undefined;
      mode = next;
      transition = transition.then(() => (next === 'down' ? down() : up()));
      if (next === 'flapping') void transition.then(() => flap(true));
      return transition;
    },
    async stop() {
      if (flapTimer !== undefined) clearTimeout(flapTimer);
      mode = 'down';
      await transition;
      await down();
    },
  };
}
