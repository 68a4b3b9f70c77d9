// Benchmark targets: each starts one DNS server on 127.0.0.1:<listenPort>, pinned to the
// target CPU, forwarding cluster.local to the cluster knot and everything else to the external
// knot, and resolves once it answers. Add a target by appending to TARGETS (peers.ts holds the
// other servers: node-cache, dnsmasq).

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { query } from '../../test/helpers/client.ts';
import { REPO_ROOT } from '../../test/helpers/fixtures.ts';
import { killAndWait } from '../../test/helpers/knot.ts';
import { freePort } from '../../test/helpers/ports.ts';
import { corefileDescription, writeNodeLocalCorefile } from './corefile.ts';
import { IMAGE_FLAGS } from './image-flags.ts';
import type { ScenarioName } from './workloads.ts';

export { nodeLocalCorefile, writeNodeLocalCorefile } from './corefile.ts';
export type { ScenarioName } from './workloads.ts';

/** The CPU targets run on; knot and dnsperf share the other one. */
export const TARGET_CPU = 0;
export const LOAD_CPU = 1;

export interface RunningTarget {
  /** Root of the process tree whose CPU time is measured. */
  readonly pid: number;
  /** Tail of the target's stdout+stderr. */
  log(): string;
  stop(): Promise<void>;
}

export interface Target {
  readonly name: string;
  /** Scenarios it takes part in (default: all). */
  readonly scenarios?: readonly ScenarioName[];
  /** One-line description for the report. */
  readonly describe: string;
  /** Why it cannot run on this machine (reported as unavailable, not failed); undefined: it can. */
  unavailable?(): string | undefined;
  start(upstreams: Upstreams, listenPort: number, workDir: string): Promise<RunningTarget>;
}

/** The two knot upstreams' ports on 127.0.0.1. */
export interface Upstreams {
  /** cluster.local (kube-dns's stand-in), asked over TCP by node-cache's ConfigMap. */
  readonly cluster: number;
  /** Everything else (the node's upstream resolvers' stand-in), over UDP. */
  readonly external: number;
}

const live = new Set<ChildProcess>();

/** Remembers a child until it exits, so an interrupted run can kill what it started. */
export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** SIGKILLs every tracked child that is still running (for SIGINT/SIGTERM of the harness). */
export function killTracked(): void {
  for (const child of live) child.kill('SIGKILL');
}

/**
 * Moves this process (every thread) to the load CPU. The harness parses dnsperf's per-reply
 * output and spawns helpers during the fixed-rate runs; left unpinned, the scheduler may run
 * that on the target's CPU and add its time to the target's latency.
 */
export function pinHarness(): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(LOAD_CPU), String(process.pid)], {
    stdio: 'ignore',
  });
}

/** Spawns `argv` under `taskset -c <cpu>` (taskset execs, so the PID is the server's). */
export function spawnPinned(
  argv: readonly string[],
  cpu: number | string,
  cwd?: string,
  env?: NodeJS.ProcessEnv,
): { child: ChildProcess; exited: Promise<void>; log(): string } {
  const child = spawn('taskset', ['-c', String(cpu), ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: cwd ?? REPO_ROOT,
    ...(env === undefined ? {} : { env }),
  });
  track(child);
  let log = '';
  // BENCH_TARGET_LOG=FILE: every target's whole output, appended (e.g. a `--trace-gc` run).
  const whole = process.env['BENCH_TARGET_LOG'];
  const keep = (s: string): void => {
    if (whole !== undefined && whole !== '') appendFileSync(whole, s);
    log = (log + s).slice(-8000);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  child.once('error', (err) => keep(`spawn error: ${err.message}\n`));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { child, exited, log: () => log };
}

/** Polls `ready.bench.svc.cluster.local A` over UDP (bounded by `timeoutMs`) until the target answers. */
export async function waitAnswering(
  port: number,
  exited: Promise<void>,
  log: () => string,
  timeoutMs = 15_000,
): Promise<void> {
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !dead) {
    try {
      const reply = await query({
        host: '127.0.0.1',
        port,
        proto: 'udp',
        name: 'ready.bench.svc.cluster.local.',
        timeoutMs: 300,
      });
      if (((reply[3] as number) & 0x0f) === 0) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `${dead ? 'exited before answering' : `no answer within ${timeoutMs} ms`}\n${log().trim().slice(-1500)}`,
  );
}

export async function startPinned(
  argv: readonly string[],
  port: number,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunningTarget> {
  // BENCH_TARGET_CPUS (e.g. `0,1`) widens the target's CPU set, for `-workers 2` runs.
  const cpus = process.env['BENCH_TARGET_CPUS'] ?? TARGET_CPU;
  const { child, exited, log } = spawnPinned(argv, cpus, options.cwd, options.env);
  const stop = (): Promise<void> => killAndWait(child, exited);
  try {
    await waitAnswering(port, exited, log);
  } catch (err) {
    await stop();
    throw err;
  }
  if (child.pid === undefined) throw new Error('no pid');
  return { pid: child.pid, log, stop };
}

const NODE = join(REPO_ROOT, 'node_modules', '.bin', 'node');

/** unbound 1.17 as a forwarding cache (design/dependencies.md 6.1), one thread, default caches. */
export const unbound: Target = {
  name: 'unbound',
  describe:
    'unbound 1.17, 1 thread, default cache sizes; cluster.local to the cluster knot over TCP (forward-tcp-upstream), `.` to the external knot over UDP',
  async start(up, listenPort, workDir) {
    const conf = join(workDir, 'unbound.conf');
    await writeFile(
      conf,
      `server:
  interface: 127.0.0.1@${listenPort}
  port: ${listenPort}
  outgoing-interface: 127.0.0.1
  do-ip6: no
  num-threads: 1
  so-reuseport: no
  do-not-query-localhost: no
  local-zone: "test." nodefault
  local-zone: "local." nodefault
  module-config: "iterator"
  domain-insecure: "test."
  domain-insecure: "cluster.local."
  qname-minimisation: no
  access-control: 127.0.0.0/8 allow
  username: ""
  chroot: ""
  directory: "${workDir}"
  pidfile: ""
  use-syslog: no
  logfile: ""
  verbosity: 0
remote-control:
  control-enable: no
# Everything goes to a knot: unbound must never iterate from the root.
forward-zone:
  name: "cluster.local"
  forward-addr: 127.0.0.1@${up.cluster}
  forward-tcp-upstream: yes
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@${up.external}
`,
    );
    return startPinned(['/usr/sbin/unbound', '-d', '-p', '-c', conf], listenPort);
  },
};

/** The bare Node responder: one canned reply per query, no upstream. The Node floor. */
export const bare: Target = {
  name: 'bare-node',
  scenarios: ['hit'],
  describe: 'bench/load/bare-responder.ts: fixed reply, ID patched (Node floor, never forwards)',
  start(_up, listenPort) {
    return startPinned(
      [NODE, 'bench/load/bare-responder.ts', '--port', String(listenPort)],
      listenPort,
    );
  },
};

/** The image's ENTRYPOINT flags before dist/cli.js (read from the Containerfile). */
export const IMAGE_NODE_FLAGS = IMAGE_FLAGS.argv;

const words = (s: string | undefined): string[] => (s ?? '').split(' ').filter((f) => f !== '');

const agentNodeFlags = process.env['BENCH_AGENT_NODE_FLAGS'] ?? IMAGE_NODE_FLAGS;

/**
 * The agent, as node-cache's DaemonSet would start it from the image (its ENTRYPOINT flags and
 * NODE_OPTIONS), minus interface and iptables setup.
 */
export const nodelocaldns: Target = {
  name: 'nodelocaldns',
  describe: `src/cli.ts with ${corefileDescription()}, node flags \`${agentNodeFlags}\`, NODE_OPTIONS \`${IMAGE_FLAGS.nodeOptions}\` (both from the Containerfile unless BENCH_AGENT_NODE_FLAGS)${process.env['BENCH_AGENT_ARGS'] ? `, extra args \`${process.env['BENCH_AGENT_ARGS']}\`` : ''}`,
  async start(up, listenPort, workDir) {
    const { base, conf } = await writeNodeLocalCorefile(workDir, listenPort, up);
    const argv = [
      NODE,
      // V8 flags to compare: NODE_OPTIONS refuses most of them. Unset: the image's.
      ...words(agentNodeFlags),
      'src/cli.ts',
      '-localip',
      '127.0.0.1',
      '-conf',
      conf,
      '-basecorefile',
      base,
      '-dns.port',
      String(listenPort),
      '-setupinterface=false',
      '-setupiptables=false',
      '-metrics-listen-address',
      `127.0.0.1:${await freePort()}`,
      // Extra agent flags to compare (e.g. `-workers 2`), space-separated.
      ...words(process.env['BENCH_AGENT_ARGS']),
    ];
    // The image's heap limit (ENV NODE_OPTIONS); flags on the command line come after it.
    return startPinned(argv, listenPort, {
      env: { ...process.env, NODE_OPTIONS: IMAGE_FLAGS.nodeOptions },
    });
  },
};
