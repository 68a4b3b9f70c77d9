// CPU time of a process tree from /proc, for "server CPU per query". utime+stime of the root
// and of every live descendant, plus cutime+cstime of the root (children it already reaped),
// so a target that forks workers is charged for them too.

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

/** CPU ticks used so far by `pid` and its descendants; undefined when `pid` is gone. */
export function treeCpuTicks(pid: number): number | undefined {
  const stats = allStats();
  const root = stats.get(pid);
  if (root === undefined) return undefined;
  let total = root.utime + root.stime + root.cutime + root.cstime;
  const children = new Map<number, number[]>();
  for (const [p, s] of stats) {
    const list = children.get(s.ppid);
    if (list === undefined) children.set(s.ppid, [p]);
    else list.push(p);
  }
  const queue = [...(children.get(pid) ?? [])];
  for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
    const s = stats.get(p);
    if (s !== undefined) total += s.utime + s.stime;
    queue.push(...(children.get(p) ?? []));
  }
  return total;
}
