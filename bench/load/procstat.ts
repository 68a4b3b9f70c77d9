// CPU time of a process tree from /proc, for "server CPU per query". utime+stime of the root
// and of every live descendant, plus cutime+cstime of the root (children it already reaped),
// so a target that forks workers is charged for them too. Also how long the tree waited for a
// CPU it was ready to use: on a shared machine that is the noise in the qps column.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for /proc stat times (`getconf CLK_TCK`, 100 on Linux). */
export function clockTicksPerSecond(): number {
  const out = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
  const n = Number(out);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`getconf CLK_TCK gave ${out}`);
  return n;
}

interface Stat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

/** Fields of /proc/<pid>/stat; the command name may hold spaces and parens, so split after the last ')'. */
function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone
  }
  // After ") ": state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17); index 0 is field 3.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const at = (field: number): number => Number(f[field - 3]);
  return { ppid: at(4), utime: at(14), stime: at(15), cutime: at(16), cstime: at(17) };
}

function allStats(): Map<number, Stat> {
  const out = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s !== undefined) out.set(Number(name), s);
  }
  return out;
}

/** `pid` and its live descendants, root first; empty when `pid` is gone. */
function tree(stats: Map<number, Stat>, pid: number): number[] {
  if (!stats.has(pid)) return [];
  const children = new Map<number, number[]>();
  for (const [p, s] of stats) {
    const list = children.get(s.ppid);
    if (list === undefined) children.set(s.ppid, [p]);
    else list.push(p);
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i] as number) ?? []));
  return out;
}

/** `pid` and its live descendants, root first (bench/memory charges RSS to all of them). */
export function treePids(pid: number): number[] {
  return tree(allStats(), pid);
}

export interface TreeUsage {
  /** utime+stime of the tree (plus reaped children of the root), in clock ticks. */
  cpuTicks: number;
  /** The part of cpuTicks spent in the kernel (stime, cstime): syscalls and the packet path. */
  systemTicks: number;
  /** Time the tree's threads were runnable but waiting for a CPU (schedstat), in ns: a high
   * value means other processes competed for the target's CPU and the qps is not trustworthy. */
  runqueueWaitNs: number;
}

/** CPU use of `pid` and its descendants so far; undefined when `pid` is gone. */
export function treeUsage(pid: number): TreeUsage | undefined {
  const stats = allStats();
  const pids = tree(stats, pid);
  const root = stats.get(pid);
  if (root === undefined) return undefined;
  let cpuTicks = root.cutime + root.cstime;
  let systemTicks = root.cstime;
  let runqueueWaitNs = 0;
  for (const p of pids) {
    const s = stats.get(p);
    if (s !== undefined) {
      cpuTicks += s.utime + s.stime;
      systemTicks += s.stime;
    }
    runqueueWaitNs += threadsWaitNs(p);
  }
  return { cpuTicks, systemTicks, runqueueWaitNs };
}

/** Sum over the process's threads of /proc/<pid>/task/<tid>/schedstat field 2 (run-queue wait). */
function threadsWaitNs(pid: number): number {
  let total = 0;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const tid of tids) {
    try {
      total += Number(
        readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1] ?? 0,
      );
    } catch {
      // thread gone
    }
  }
  return total;
}

/** CPU ticks used so far by `pid` and its descendants; undefined when `pid` is gone. */
export function treeCpuTicks(pid: number): number | undefined {
  return treeUsage(pid)?.cpuTicks;
}

export interface TreeMemory {
  /** VmRSS summed over the tree, KiB. */
  rssKiB: number;
  /** VmHWM (each process's peak RSS) summed over the tree, KiB: the tree's peak or above it
   * (processes may have peaked at different times), never below while they live. */
  peakKiB: number;
}

/** Resident memory of `pid` and its live descendants; undefined when `pid` is gone. */
export function treeMemory(pid: number): TreeMemory | undefined {
  const pids = treePids(pid);
  if (pids.length === 0) return undefined;
  const out: TreeMemory = { rssKiB: 0, peakKiB: 0 };
  for (const p of pids) {
    let status: string;
    try {
      status = readFileSync(`/proc/${p}/status`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const kib = (key: string): number =>
      Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    out.rssKiB += kib('VmRSS');
    out.peakKiB += kib('VmHWM');
  }
  return out;
}
