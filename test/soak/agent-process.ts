// The agent as its own process, as node-cache's DaemonSet starts it minus the interface and
// packet-filter setup: src/cli.ts with a Corefile template (-basecorefile) it renders into
// -conf, its own resolv.conf pointing at loopback, and an empty kube-dns ConfigMap folder.
// A reload is a template rewrite plus SIGUSR1 (the agent re-reads the template at once).

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures.ts';
import { freePort } from '../helpers/ports.ts';

const NODE = join(REPO_ROOT, 'node_modules', '.bin', 'node');
const CLI = join(REPO_ROOT, 'src', 'cli.ts');
/** Bytes of the agent's output kept for failure messages. */
const LOG_TAIL = 16_000;

export interface AgentProcess {
  readonly pid: number;
  readonly dnsPort: number;
  readonly metricsPort: number;
  /** Tail of stdout+stderr. */
  log(): string;
  /** Writes the template of `generation` and asks for a reload (SIGUSR1). */
  reload(generation: number): Promise<void>;
  /** Resolves with the exit code and signal once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly running: boolean;
  /** SIGTERM: the agent's own clean stop. */
  terminate(): void;
  kill(): void;
}

export interface AgentPorts {
  readonly dns: number;
  /** The Corefile's `prometheus` listener (process and DNS metrics). */
  readonly metrics: number;
}

export interface AgentFiles {
  readonly dir: string;
  /** Renders the Corefile template for the agent's ports; each reload bumps `generation`. */
  readonly corefile: (ports: AgentPorts, generation: number) => string;
}

export async function startAgentProcess(files: AgentFiles): Promise<AgentProcess> {
  const dnsPort = await freePort();
  const metricsPort = await freePort();
  const agentMetricsPort = await freePort();
  const base = join(files.dir, 'Corefile.base');
  const conf = join(files.dir, 'Corefile');
  const resolv = join(files.dir, 'resolv.conf');
  const kubeDir = join(files.dir, 'kube-dns-config');
  await mkdir(kubeDir, { recursive: true });
  // Never the machine's resolvers: the agent reads this file, not /etc/resolv.conf.
  await writeFile(resolv, 'nameserver 127.0.0.1\n');
  const ports: AgentPorts = { dns: dnsPort, metrics: metricsPort };
  await writeFile(base, files.corefile(ports, 0));
  const argv = [
    CLI,
    '-localip',
    '127.0.0.1',
    '-basecorefile',
    base,
    '-conf',
    conf,
    '-resolvconf',
    resolv,
    '-kubednscm',
    kubeDir,
    '-dns.port',
    String(dnsPort),
    '-setupinterface=false',
    '-setupiptables=false',
    '-health-port',
    String(await freePort()),
    '-metrics-listen-address',
    `127.0.0.1:${agentMetricsPort}`,
  ];
  const child: ChildProcess = spawn(NODE, argv, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (s: string): void => {
    tail = (tail + s).slice(-LOG_TAIL);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  let running = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false;
      resolve({ code, signal });
    });
  });
  if (child.pid === undefined) throw new Error('agent did not start');
  const pid = child.pid;
  return {
    pid,
    dnsPort,
    metricsPort,
    log: () => tail,
    async reload(generation) {
      await writeFile(base, files.corefile(ports, generation));
      if (running) process.kill(pid, 'SIGUSR1');
    },
    exited,
    get running() {
      return running;
    },
    terminate() {
      if (running) child.kill('SIGTERM');
    },
    kill() {
      if (running) child.kill('SIGKILL');
    },
  };
}
