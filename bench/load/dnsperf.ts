// Runs dnsperf (pinned with taskset) against a loopback target and parses its summary, or, in
// verbose mode, every reply's latency for percentiles. Every run is bounded by `-l` and by a
// kill timer on top of it.

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { track } from './targets.ts';

export interface DnsperfOptions {
  port: number;
  queryFile: string;
  seconds: number;
  /** CPU to pin dnsperf to. */
  cpu: number;
  /** -Q: cap on queries per second. */
  maxQps?: number;
  /** -n: passes over the query file (1 = every query once). */
  maxRuns?: number;
  /** -c: simulated clients (source ports). Default 4. */
  clients?: number;
  /** -q: outstanding queries. Default 100. */
  outstanding?: number;
  /** -v: collect per-query latencies. */
  verbose?: boolean;
  /** With verbose: also keep each reply's rcode and question (bench/load/profile-tail.ts). */
  keepReplies?: boolean;
}

export interface Reply {
  rcode: string;
  /** "name TYPE" as in the query file. */
  question: string;
  ms: number;
}

export interface DnsperfResult {
  sent: number;
  completed: number;
  lost: number;
  runSeconds: number;
  qps: number;
  avgLatencyMs: number | undefined;
  rcodes: Record<string, number>;
  /** Sorted latencies in ms (verbose runs only). */
  latenciesMs: number[];
  /** Queries reported as timed out ("T") in verbose output. */
  timeouts: number;
  /** Every reply, in arrival order (keepReplies only). */
  replies: Reply[];
  command: string;
  stderr: string;
}

export function dnsperfArgs(o: DnsperfOptions): string[] {
  const args = [
    '-c',
    String(o.cpu),
    'dnsperf',
    '-s',
    '127.0.0.1',
    '-p',
    String(o.port),
    '-d',
    o.queryFile,
  ];
  args.push(
    '-l',
    String(o.seconds),
    '-c',
    String(o.clients ?? 4),
    '-q',
    String(o.outstanding ?? 100),
    '-t',
    '2',
  );
  if (o.maxQps !== undefined) args.push('-Q', String(o.maxQps));
  if (o.maxRuns !== undefined) args.push('-n', String(o.maxRuns));
  if (o.verbose === true) args.push('-v');
  return args;
}

export function runDnsperf(o: DnsperfOptions): Promise<DnsperfResult> {
  const args = dnsperfArgs(o);
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const latencies: number[] = [];
    const replies: Reply[] = [];
    let timeouts = 0;
    let summary = '';
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-10_000);
    });
    // Verbose lines: "> NOERROR name A 0.000123" or "> T name A". Keep the rest for the summary.
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('> ')) {
        const m = /^> (\S+) (.*) (\d+\.\d+)$/.exec(line);
        if (m?.[1] === 'T') timeouts++;
        else if (m?.[3] !== undefined) {
          const ms = Number(m[3]) * 1000;
          latencies.push(ms);
          if (o.keepReplies === true) replies.push({ rcode: m[1] ?? '', question: m[2] ?? '', ms });
        }
        return;
      }
      summary += `${line}\n`;
    });
    // -l bounds the sending; -t 2 bounds the wait for stragglers; this bounds everything else.
    const killer = setTimeout(() => child.kill('SIGKILL'), (o.seconds + 15) * 1000);
    child.once('error', (err) => {
      clearTimeout(killer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(killer);
      const parsed = parseSummary(summary);
      if (code !== 0 || parsed === undefined) {
        reject(new Error(`dnsperf exited with ${code}: ${stderr.trim()}\n${summary.slice(-2000)}`));
        return;
      }
      latencies.sort((a, b) => a - b);
      resolve({
        ...parsed,
        latenciesMs: latencies,
        timeouts,
        replies,
        command: `taskset ${args.join(' ')}`,
        stderr,
      });
    });
  });
}

type Summary = Omit<DnsperfResult, 'latenciesMs' | 'timeouts' | 'replies' | 'command' | 'stderr'>;

/** Parses dnsperf 2.x's "Statistics:" block. */
export function parseSummary(text: string): Summary | undefined {
  const num = (re: RegExp): number | undefined => {
    const m = re.exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  };
  const sent = num(/Queries sent:\s+(\d+)/);
  const completed = num(/Queries completed:\s+(\d+)/);
  const lost = num(/Queries lost:\s+(\d+)/);
  const runSeconds = num(/Run time \(s\):\s+([\d.]+)/);
  const qps = num(/Queries per second:\s+([\d.]+)/);
  if (
    sent === undefined ||
    completed === undefined ||
    lost === undefined ||
    runSeconds === undefined ||
    qps === undefined
  ) {
    return undefined;
  }
  const avg = num(/Average Latency \(s\):\s+([\d.]+)/);
  const rcodes: Record<string, number> = {};
  const codes = /Response codes:\s+(.*)/.exec(text)?.[1] ?? '';
  for (const m of codes.matchAll(/([A-Z]+) (\d+) \(/g)) rcodes[m[1] ?? '?'] = Number(m[2]);
  return {
    sent,
    completed,
    lost,
    runSeconds,
    qps,
    avgLatencyMs: avg === undefined ? undefined : avg * 1000,
    rcodes,
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
