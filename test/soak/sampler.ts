// What the soak watches in the agent process: RSS, open descriptors (and how many are sockets)
// and CPU time from /proc/<pid>, event-loop delay and heap from the agent's own /metrics. The
// agent resets its event-loop histogram at every scrape, so each sample's lag figures cover the
// time since the previous sample; only the soak should scrape it.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';

export interface Sample {
  /** ms since the soak started. */
  readonly at: number;
  readonly phase: string;
  readonly rssBytes: number;
  readonly fds: number;
  readonly sockets: number;
  /** utime+stime of the agent so far, in clock ticks. */
  readonly cpuTicks: number;
  /** From /metrics, since the previous scrape; undefined when the scrape failed. */
  readonly lagP99Ms: number | undefined;
  readonly lagMaxMs: number | undefined;
  readonly heapUsedBytes: number | undefined;
}

/** VmRSS of a process, bytes. */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m?.[1] === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** Open descriptors of a process and how many of them are sockets. */
export function descriptors(pid: number): { fds: number; sockets: number } {
  let fds = 0;
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    fds++;
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++;
    } catch {
      // closed while we looked
    }
  }
  return { fds, sockets };
}

/** utime+stime in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

/** Clock ticks per second of /proc stat times (`getconf CLK_TCK`). */
export function clockTicksPerSecond(): number {
  const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(n) || n <= 0) throw new Error('getconf CLK_TCK gave no number');
  return n;
}

/** GET http://127.0.0.1:<port>/metrics, bounded by `timeoutMs`. */
export function scrape(port: number, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      // A connection per scrape, closed after it: a kept-alive one would count as an agent socket.
      {
        host: '127.0.0.1',
        port,
        path: '/metrics',
        timeout: timeoutMs,
        agent: false,
        headers: { connection: 'close' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () =>
          res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('metrics scrape timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** The value of an unlabelled sample in a Prometheus text exposition. */
export function metricValue(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** The sum of every sample of `name` whose labels contain each `label="value"` given. */
export function metricSum(text: string, name: string, labels: readonly string[] = []): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels.every((l) => line.includes(l))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

export async function takeSample(
  pid: number,
  metricsPort: number,
  at: number,
  phase: string,
): Promise<Sample> {
  const { fds, sockets } = descriptors(pid);
  const base = { at, phase, rssBytes: rssBytes(pid), fds, sockets, cpuTicks: cpuTicks(pid) };
  try {
    const text = await scrape(metricsPort);
    const ms = (name: string): number | undefined => {
      const v = metricValue(text, name);
      return v === undefined ? undefined : v * 1000;
    };
    return {
      ...base,
      lagP99Ms: ms('nodejs_eventloop_lag_p99_seconds'),
      lagMaxMs: ms('nodejs_eventloop_lag_max_seconds'),
      heapUsedBytes: metricValue(text, 'nodejs_heap_size_used_bytes'),
    };
  } catch {
    return { ...base, lagP99Ms: undefined, lagMaxMs: undefined, heapUsedBytes: undefined };
  }
}
