// Knot DNS (knotd) as the authoritative upstream stand-in for tests and benchmarks. Each
// instance gets its own temp dir for config, zone files, rundir and LMDB storage, listens on a
// free 127.0.0.1 port, and is ready once it answers the first zone's SOA.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Rcode, RRType } from '../../src/dns/constants.ts';
import { query } from './client.ts';
import { freePort } from './ports.ts';

export { CLUSTER_ZONE, EXTERNAL_ZONE, REVERSE_ZONE, ZONE_DATA } from './zones.ts';

const execFileAsync = promisify(execFile);

export interface KnotOptions {
  /** Zone name → zone file text. The first zone is the readiness probe target. */
  zones: Record<string, string>;
  address?: '127.0.0.1';
  /** Command prefix, e.g. `['taskset', '-c', '1']` (it must exec knotd, keeping the PID). */
  wrap?: readonly string[];
  /** UDP/TCP worker threads (default 1 each, which is plenty on loopback). */
  workers?: number;
}

export interface Knot {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  /** Queries knot received since it became ready (from mod-stats through knotc). */
  queryCount(): Promise<number>;
  /** Captured stderr (knot logs there), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** A zone file knot refused to load (not worth a retry). */
export class KnotZoneError extends Error {
  readonly code = 'ERR_KNOT_ZONE';
}

export async function startKnot(opts: KnotOptions): Promise<Knot> {
  let lastError: unknown;
  // A port found free can be taken before knotd binds it: retry with another one.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(opts, await freePort());
    } catch (err) {
      if (err instanceof KnotZoneError) throw err; // a broken zone stays broken on another port
      lastError = err;
    }
  }
  throw lastError;
}

function knotConf(
  dir: string,
  host: string,
  port: number,
  zones: string[],
  workers: number,
): string {
  const zoneLines = zones.map(
    (z, i) => `  - domain: "${z}"\n    file: "${join(dir, `zone-${i}.zone`)}"`,
  );
  return `server:
    rundir: "${dir}"
    listen: ${host}@${port}
    udp-workers: ${workers}
    tcp-workers: ${workers}
    background-workers: 1
log:
  - target: stderr
    any: notice
database:
    storage: "${dir}"
mod-stats:
  - id: stats
template:
  - id: default
    storage: "${dir}"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    global-module: mod-stats/stats
zone:
${zoneLines.join('\n')}
`;
}

async function startOnce(opts: KnotOptions, port: number): Promise<Knot> {
  const host = opts.address ?? '127.0.0.1';
  const zones = Object.keys(opts.zones);
  if (zones.length === 0) throw new Error('startKnot needs at least one zone');
  const dir = await mkdtemp(join(tmpdir(), 'knot-'));
  const conf = join(dir, 'knot.conf');
  await writeFile(conf, knotConf(dir, host, port, zones, opts.workers ?? 1));
  await Promise.all(
    zones.map((z, i) => writeFile(join(dir, `zone-${i}.zone`), opts.zones[z] ?? '')),
  );

  const argv = [...(opts.wrap ?? []), '/usr/sbin/knotd', '-c', conf];
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    stderr = (stderr + s).slice(-20_000);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.once('error', () => {}); // surfaced through `exited` / the readiness timeout

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await killAndWait(child, exited);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitReady(host, port, zones, exited, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('knotd has no pid');
  const knotc = (): Promise<number> => statsTotal(conf);
  const baseline = await knotc();
  return {
    host,
    port,
    pid,
    dir,
    queryCount: async () => (await knotc()) - baseline,
    log: () => stderr,
    stop,
  };
}

/** Longest wait for knotd to answer (a loaded machine starts it slowly; a ready one returns at once). */
export const KNOT_READY_MS = 30_000;

/**
 * Polls with SOA queries for every zone (bounded by KNOT_READY_MS) until knot answers each
 * authoritatively. Fails fast when knot logs that a zone did not load (its only signal of that).
 */
async function waitReady(
  host: string,
  port: number,
  zones: readonly string[],
  exited: Promise<number | null>,
  log: () => string,
): Promise<void> {
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  const pending = [...zones];
  const deadline = performance.now() + KNOT_READY_MS;
  while (!dead && performance.now() < deadline) {
    if (/zone event 'load' failed|failed to load zone/.test(log())) {
      throw new KnotZoneError(`knotd could not load a zone:\n${log()}`);
    }
    while (pending[0] !== undefined && (await answersSoa(host, port, pending[0]))) pending.shift();
    if (pending.length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `knotd on ${host}@${port} not ready (${dead ? 'exited' : 'timed out'}):\n${log()}`,
  );
}

async function answersSoa(host: string, port: number, zone: string): Promise<boolean> {
  try {
    const reply = await query({
      host,
      port,
      proto: 'udp',
      name: zone,
      type: RRType.SOA,
      timeoutMs: 100,
    });
    return ((reply[3] as number) & 0x0f) === Rcode.NOERROR && reply.readUInt16BE(6) > 0;
  } catch {
    return false; // not listening yet
  }
}

/** Sum of mod-stats request-protocol counters (every query over every transport). */
async function statsTotal(conf: string): Promise<number> {
  const { stdout } = await execFileAsync(
    '/usr/sbin/knotc',
    ['-c', conf, '-t', '5', 'stats', 'mod-stats.request-protocol'],
    {
      timeout: 6000,
    },
  );
  let total = 0;
  for (const m of stdout.matchAll(/request-protocol\[[^\]]+\] = (\d+)/g)) total += Number(m[1]);
  return total;
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the process is gone. */
export async function killAndWait(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
