// Sums a `--trace-gc` log (e.g. from BENCH_TARGET_LOG): collections by kind, their main-thread
// pause in total, and how much the old generation held before and after each mark-compact.
//
//   node bench/load/gc-summary.ts FILE

import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: gc-summary.ts FILE');

// "[pid:0x…]  6447 ms: Scavenge 22.5 (27.3) -> 21.8 (27.3) MB, pooled: 1 MB, 0.76 / 0.00 ms …"
const LINE =
  /ms: (Scavenge|Mark-Compact|Minor Mark-Sweep)[^\d]* ([\d.]+) \([\d.]+\) -> ([\d.]+) .*?MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/;

const kinds = new Map<string, { count: number; pauseMs: number; before: number; after: number }>();
for (const line of readFileSync(file, 'utf8').split('\n')) {
  const m = LINE.exec(line);
  if (m === null) continue;
  const [, kind = '', before = '0', after = '0', pause = '0'] = m;
  const k = kinds.get(kind) ?? { count: 0, pauseMs: 0, before: 0, after: 0 };
  k.count++;
  k.pauseMs += Number(pause);
  k.before += Number(before);
  k.after += Number(after);
  kinds.set(kind, k);
}
console.log(
  '| collection | count | main-thread pause, total ms | heap used before → after, mean MB |',
);
console.log('| --- | --: | --: | --: |');
for (const [kind, k] of kinds)
  console.log(
    `| ${kind} | ${k.count} | ${k.pauseMs.toFixed(0)} | ${(k.before / k.count).toFixed(1)} → ${(k.after / k.count).toFixed(1)} |`,
  );
