// Where a process's RSS sits, from /proc/<pid>/smaps: resident KiB per mapping (grouped by
// path, or by kind for anonymous ones), split into anonymous and file-backed, with the
// transparent-huge-page share. For bench/memory/run.ts --smaps.

import { readFileSync } from 'node:fs';

export interface MappingGroup {
  name: string;
  rssKiB: number;
  anonKiB: number;
  fileKiB: number;
  hugeKiB: number;
  mappings: number;
}

/** Resident memory of `pid` grouped by mapping name, largest first. */
export function smapsGroups(pid: number): MappingGroup[] {
  const text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const groups = new Map<string, MappingGroup>();
  let current: MappingGroup | undefined;
  for (const line of text.split('\n')) {
    // A header: "start-end perms offset dev inode [path]".
    const header = /^[0-9a-f]+-[0-9a-f]+ (\S{4}) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header !== null) {
      const path = header[2] ?? '';
      const name = path === '' ? `[anon ${header[1]}]` : `${path} ${header[1]}`;
      current = groups.get(name);
      if (current === undefined) {
        current = { name, rssKiB: 0, anonKiB: 0, fileKiB: 0, hugeKiB: 0, mappings: 0 };
        groups.set(name, current);
      }
      current.mappings++;
      continue;
    }
    if (current === undefined) continue;
    const field = /^(\w+):\s+(\d+) kB/.exec(line);
    if (field === null) continue;
    const kib = Number(field[2]);
    if (field[1] === 'Rss') current.rssKiB += kib;
    else if (field[1] === 'Anonymous') current.anonKiB += kib;
    else if (field[1] === 'AnonHugePages') current.hugeKiB += kib;
  }
  for (const g of groups.values()) g.fileKiB = g.rssKiB - g.anonKiB;
  return [...groups.values()].sort((a, b) => b.rssKiB - a.rssKiB);
}

/** A markdown table of the `top` largest groups and the rest summed. */
export function smapsTable(pid: number, top = 12): string {
  const groups = smapsGroups(pid);
  const rest = groups.slice(top).reduce((s, g) => s + g.rssKiB, 0);
  const mib = (kib: number): string => (kib / 1024).toFixed(1);
  const rows = groups
    .slice(0, top)
    .map(
      (g) =>
        `| ${g.name} | ${g.mappings} | ${mib(g.rssKiB)} | ${mib(g.anonKiB)} | ${mib(g.fileKiB)} | ${mib(g.hugeKiB)} |`,
    );
  return `| mapping | count | RSS MiB | anon MiB | file MiB | THP MiB |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n| (${groups.length - top} more) | | ${mib(rest)} | | | |\n`;
}
