// What a V8 heap snapshot (from `run.ts --heap-snapshots DIR`) holds, by node type and name:
// total self size, then the largest groups. Compare an empty and a filled agent's snapshots to
// see what each cache entry costs in live objects (as opposed to garbage not yet collected).
// Usage: node bench/memory/heap-summary.ts FILE.heapsnapshot [--top 30]

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '30' } },
  allowPositionals: true,
});

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);

for (const file of positionals) {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [width, iType, iName, iSize] = [
    fields.length,
    fields.indexOf('type'),
    fields.indexOf('name'),
    fields.indexOf('self_size'),
  ];
  const groups = new Map<string, { count: number; bytes: number }>();
  let total = 0;
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType] ?? 0] ?? '?';
    // A string's name is its content: group strings by type only.
    const name = STRING_TYPES.has(type) ? '' : (snap.strings[snap.nodes[i + iName] ?? 0] ?? '');
    const key = `${type}: ${name.slice(0, 50)}`;
    const bytes = snap.nodes[i + iSize] ?? 0;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += bytes;
    groups.set(key, g);
    total += bytes;
  }
  process.stdout.write(`${file}: ${(total / 2 ** 20).toFixed(2)} MiB live (self sizes)\n`);
  const rows = [...groups].sort((a, b) => b[1].bytes - a[1].bytes);
  for (const [key, g] of rows.slice(0, Number(values.top)))
    process.stdout.write(
      `${String(g.bytes).padStart(11)} ${String(g.count).padStart(8)}  ${key}\n`,
    );
}
