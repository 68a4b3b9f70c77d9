// Benchmark targets: each starts one DNS server on 127.0.0.1:<listenPort>, pinned to the
// target CPU, forwarding misses to the knot upstream, and resolves once it answers. Add a target
// by appending to TARGETS.

import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { query } from '../../test/helpers/client.ts';
import { REPO_ROOT } from '../../test/helpers/fixtures.ts';
import { killAndWait } from '../../test/helpers/knot.ts';
import { freePort } from '../../test/helpers/ports.ts';

export type ScenarioName = 'hit' | 'miss';

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
  start(upstreamPort: number, listenPort: number, workDir: string): Promise<RunningTarget>;
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

/** Spawns `argv` under `taskset -c <cpu>` (taskset execs, so the PID is the server's). */
export function spawnPinned(
  argv: readonly string[],
  cpu: number | string,
  cwd?: string,
): { child: ChildProcess; exited: Promise<void>; log(): string } {
  const child = spawn('taskset', ['-c', String(cpu), ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: cwd ?? REPO_ROOT,
  });
  track(child);
  let log = '';
  const keep = (s: string): void => {
    log = (log + s).slice(-8000);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  child.once('error', (err) => keep(`spawn error: ${err.message}\n`));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { child, exited, log: () => log };
}

/** Polls `ready.bench.test A` over UDP (bounded by `timeoutMs`) until the target answers. */
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
        name: 'ready.bench.test.',
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

async function startPinned(argv: readonly string[], port: number): Promise<RunningTarget> {
  // BENCH_TARGET_CPUS (e.g. `0,1`) widens the target's CPU set, for `-workers 2` runs.
  const { child, exited, log } = spawnPinned(argv, process.env['BENCH_TARGET_CPUS'] ?? TARGET_CPU);
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
  describe: 'unbound 1.17, 1 thread, default cache sizes, forward-tcp-upstream to knot',
  async start(upstreamPort, listenPort, workDir) {
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
  module-config: "iterator"
  domain-insecure: "test."
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
# Everything, not just bench.test, goes to knot: unbound must never iterate from the root.
forward-zone:
  name: "."
  forward-addr: 127.0.0.1@${upstreamPort}
  forward-tcp-upstream: yes
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
  start(_upstreamPort, listenPort) {
    return startPinned(
      [NODE, 'bench/load/bare-responder.ts', '--port', String(listenPort)],
      listenPort,
    );
  },
};

/** The agent, as node-cache's DaemonSet would start it, minus interface and iptables setup. */
export const nodelocaldns: Target = {
  name: 'nodelocaldns',
  describe: 'src/cli.ts, cache { success 100000 }, forward force_tcp to knot',
  async start(upstreamPort, listenPort, workDir) {
    const block = (zone: string): string => `${zone}:${listenPort} {
    bind 127.0.0.1
    cache {
        success 100000
    }
    forward . 127.0.0.1:${upstreamPort} {
        force_tcp
    }
}
`;
    const corefile = `${block('bench.test')}${block('.')}`;
    // node-cache renders -basecorefile into -conf; write both so either reading works.
    const base = join(workDir, 'Corefile.base');
    const conf = join(workDir, 'Corefile');
    await Promise.all([writeFile(base, corefile), writeFile(conf, corefile)]);
    const argv = [
      NODE,
      // V8 flags to compare (e.g. the image's): NODE_OPTIONS refuses most of them.
      ...(process.env['BENCH_AGENT_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== ''),
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
      ...(process.env['BENCH_AGENT_ARGS'] ?? '').split(' ').filter((f) => f !== ''),
    ];
    return startPinned(argv, listenPort);
  },
};

export const TARGETS: readonly Target[] = [unbound, bare, nodelocaldns];
