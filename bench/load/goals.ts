// Issue 11's targets as ratios of figures from the same run (each row's medians), met or
// missed. A target whose rows are missing (target unavailable, failed, not run) says so.

import { type Row, renderTable, type Sample } from './report.ts';

export interface MemoryReading {
  /** RSS of the whole agent with 10k entries in each of the cluster and `.` caches, MB. */
  filledMB: number;
  /** Where it came from (command, or why it was not run). */
  source: string;
}

interface Goal {
  what: string;
  /** Our figure and the peer's, in the goal's terms. */
  ours: number | undefined;
  theirs: number | undefined;
  /** ratio = ours / theirs; met when the ratio is on the right side of `bound`. */
  bound: number;
  atMost: boolean;
  /** How the two figures read (units). */
  unit: string;
  /** Compare against a fixed value instead of a peer's figure. */
  absolute?: boolean;
}

const get = (
  rows: readonly Row[],
  target: string,
  scenario: string,
  key: keyof Sample,
): number | undefined => {
  const r = rows.find((x) => x.target === target && x.scenario === scenario);
  if (r === undefined || r.error !== undefined || r.unavailable !== undefined) return undefined;
  const v = r[key];
  return typeof v === 'number' ? v : undefined;
};

function goals(rows: readonly Row[], memory: MemoryReading | undefined, qps: number): Goal[] {
  const us = (scenario: string, key: keyof Sample): number | undefined =>
    get(rows, 'nodelocaldns', scenario, key);
  const them = (t: string, scenario: string, key: keyof Sample): number | undefined =>
    get(rows, t, scenario, key);
  const rate = qps.toLocaleString('en-US');
  const tail = (scenario: string, key: 'p99Ms' | 'p999Ms', label: string): Goal => ({
    what: `${scenario}: ${label} at ${rate} qps ≤ 1.2× unbound's`,
    ours: us(scenario, key),
    theirs: them('unbound', scenario, key),
    bound: 1.2,
    atMost: true,
    unit: 'ms',
  });
  return [
    {
      what: "hit: server CPU per query ≤ 1.2× the bare responder's",
      ours: us('hit', 'cpuUsPerQuery'),
      theirs: them('bare-node', 'hit', 'cpuUsPerQuery'),
      bound: 1.2,
      atMost: true,
      unit: 'µs',
    },
    {
      what: "hit: qps per core ≥ 2× node-cache's",
      ours: us('hit', 'qpsPerCore'),
      theirs: them('node-cache', 'hit', 'qpsPerCore'),
      bound: 2,
      atMost: false,
      unit: 'qps/core',
    },
    tail('hit', 'p99Ms', 'p99'),
    tail('hit', 'p999Ms', 'p99.9'),
    tail('mix', 'p99Ms', 'p99'),
    tail('mix', 'p999Ms', 'p99.9'),
    {
      what: "miss over TCP: qps ≥ unbound's",
      ours: us('miss', 'qps'),
      theirs: them('unbound', 'miss', 'qps'),
      bound: 1,
      atMost: false,
      unit: 'qps',
    },
    {
      what: 'RSS with 10k + 10k cache entries ≤ 60 MB (bench/memory)',
      ours: memory?.filledMB,
      theirs: 60,
      bound: 1,
      atMost: true,
      unit: 'MB',
      absolute: true,
    },
    {
      what: "cold mix pass: upstream queries per client query ≤ node-cache's",
      ours: us('cold', 'upstreamPerQuery'),
      theirs: them('node-cache', 'cold', 'upstreamPerQuery'),
      bound: 1,
      atMost: true,
      unit: 'per query',
    },
  ];
}

const num = (n: number | undefined, unit: string): string => {
  if (n === undefined) return '–';
  const digits = n >= 100 ? 0 : n >= 1 ? 2 : 3;
  return `${n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`;
};

/** The "Targets" section: one line per goal with both figures, the ratio and met/missed. */
export function targetsSection(
  rows: readonly Row[],
  memory: MemoryReading | undefined,
  latencyQps: number,
): string[] {
  const table = goals(rows, memory, latencyQps).map((g) => {
    if (g.ours === undefined || g.theirs === undefined || g.theirs === 0) {
      return [g.what, num(g.ours, g.unit), num(g.theirs, g.unit), '–', 'not measured'];
    }
    const ratio = g.ours / g.theirs;
    const met = g.atMost ? ratio <= g.bound : ratio >= g.bound;
    return [
      g.what,
      num(g.ours, g.unit),
      num(g.theirs, g.unit),
      `${ratio.toFixed(2)}×`,
      met ? 'met' : `**missed** (bound ${g.atMost ? '≤' : '≥'} ${g.bound}×)`,
    ];
  });
  const out = [
    '## Targets (issue 11), from this run',
    '',
    ...renderTable(
      ['target', 'nodelocaldns', 'reference', 'ratio', 'verdict'],
      [false, true, true, true, false],
      table,
    ),
  ];
  if (memory !== undefined) out.push('', `RSS reading: ${memory.source}.`);
  return out;
}
