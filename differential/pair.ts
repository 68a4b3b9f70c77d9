// node-cache and nodelocaldns side by side: the same Corefile (each with its own ports), the
// same queries in the same order, so both caches see the same history.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '../src/app.ts';
import { memoryLogger } from '../src/util/log.ts';
import { type QuerySpec, query } from '../test/helpers/client.ts';
import {
  CLUSTER_ZONE,
  EXTERNAL_ZONE,
  type Knot,
  REVERSE_ZONE,
  startKnot,
} from '../test/helpers/knot.ts';
import { freePort } from '../test/helpers/ports.ts';
import { startNodeCache } from './anchor.ts';

export interface Ports {
  dns: number;
  metrics: number;
  health: number;
}

export type CorefileFor = (ports: Ports) => string;

export interface Side {
  readonly name: 'node-cache' | 'nodelocaldns';
  readonly ports: Ports;
  /** Replaces the server's Corefile file (rendered for its ports), as an operator would. */
  writeCorefile(corefileFor: CorefileFor): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

export interface Pair {
  readonly reference: Side;
  readonly candidate: Side;
  stop(): Promise<void>;
}

async function freePorts(): Promise<Ports> {
  return { dns: await freePort(), metrics: await freePort(), health: await freePort() };
}

/** Polls (at most 100 times, about 10 s) until the server answers anything on UDP. */
async function waitAnswering(port: number, what: () => string): Promise<void> {
  const probe: QuerySpec = { name: 'differential-probe.invalid.', type: 'A' };
  for (let i = 0; i < 100; i++) {
    try {
      await query({ ...probe, host: '127.0.0.1', port, proto: 'udp', timeoutMs: 100 });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`server on 127.0.0.1:${port} never answered:\n${what()}`);
}

export async function startPair(corefileFor: CorefileFor): Promise<Pair> {
  const refPorts = await freePorts();
  const nodeCache = await startNodeCache(corefileFor(refPorts));
  const reference: Side = {
    name: 'node-cache',
    ports: refPorts,
    writeCorefile: (corefileFor) => nodeCache.writeCorefile(corefileFor(refPorts)),
    log: nodeCache.log,
    stop: nodeCache.stop,
  };
  try {
    await waitAnswering(refPorts.dns, nodeCache.log);
  } catch (err) {
    await nodeCache.stop();
    throw err;
  }
  const candPorts = await freePorts();
  const log = memoryLogger();
  // From a file, as node-cache runs, so the reload plugin has something to watch.
  const dir = await mkdtemp(join(tmpdir(), 'nodelocaldns-differential-'));
  const corefilePath = join(dir, 'Corefile');
  await writeFile(corefilePath, corefileFor(candPorts));
  let app: Awaited<ReturnType<typeof startApp>>;
  try {
    app = await startApp({ corefilePath, log });
    await app.serving;
    await waitAnswering(candPorts.dns, () => log.lines.join('\n'));
  } catch (err) {
    await nodeCache.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const candidate: Side = {
    name: 'nodelocaldns',
    ports: candPorts,
    writeCorefile: (next) => writeFile(corefilePath, next(candPorts)),
    log: () => log.lines.join('\n'),
    stop: async () => {
      await app.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return {
    reference,
    candidate,
    stop: async () => {
      await Promise.allSettled([reference.stop(), candidate.stop()]);
    },
  };
}

/** The one upstream both servers forward to: cluster.local, its reverse zone and example.test. */
export function startUpstreamKnot(): Promise<Knot> {
  return startKnot({
    zones: {
      'cluster.local': CLUSTER_ZONE,
      '10.in-addr.arpa': REVERSE_ZONE,
      'example.test': EXTERNAL_ZONE,
    },
  });
}

/** The tail of both servers' logs, for a failure message. */
export function serverLogs(pair: Pair): string {
  const tail = (side: Side): string => `--- ${side.name} log:\n${side.log().slice(-3000)}`;
  return `${tail(pair.reference)}\n${tail(pair.candidate)}`;
}
