// How many CPUs this agent may use: the cgroup v2 quota (cpu.max) and CPU set
// (cpuset.cpus.effective) of the agent's own cgroup (a container sees its own at
// /sys/fs/cgroup), else what Node reports (os.availableParallelism, which already honours the
// affinity mask). `-workers auto` starts this many DNS threads, up to AUTO_WORKERS_CAP.

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * The most threads `auto` starts. Memory bounds it: each worker thread measured about 31 MB of
 * RSS (docs/operations.md, "Workers"), and four threads keep the agent with the measured cache
 * under the manifest's 256Mi limit. More cores than that want `-workers N` and a larger limit.
 */
export const AUTO_WORKERS_CAP = 4;

export type ReadText = (path: string) => string | undefined;

const readOrUndefined: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** `max 100000` → undefined (no quota); `150000 100000` → 2 (rounded up). */
export function quotaCpus(cpuMax: string | undefined): number | undefined {
  const [quota, period] = (cpuMax ?? '').trim().split(/\s+/);
  const q = Number(quota);
  const p = Number(period ?? '100000');
  if (quota === undefined || quota === 'max' || !(q > 0) || !(p > 0)) return undefined;
  return Math.max(1, Math.ceil(q / p));
}

/** `0-3,6` → 5; empty or malformed → undefined. */
export function cpusetCount(list: string | undefined): number | undefined {
  const text = (list ?? '').trim();
  if (text === '') return undefined;
  let count = 0;
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    count += hi - lo + 1;
  }
  return count;
}

/** The CPUs the agent may use: the smallest of the quota, the CPU set and Node's count. */
export function availableCpus(
  read: ReadText = readOrUndefined,
  parallelism: number = availableParallelism(),
  root = '/sys/fs/cgroup',
): number {
  const limits = [
    quotaCpus(read(`${root}/cpu.max`)),
    cpusetCount(read(`${root}/cpuset.cpus.effective`)),
    parallelism,
  ].filter((n): n is number => n !== undefined && n > 0);
  return Math.max(1, Math.min(...limits));
}

/** `-workers`: a number as given, `auto` from the CPUs available, capped. */
export function resolveWorkers(
  choice: number | 'auto',
  cpus: () => number = availableCpus,
): number {
  if (choice !== 'auto') return choice;
  return Math.min(AUTO_WORKERS_CAP, cpus());
}
