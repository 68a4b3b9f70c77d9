// Machine description and the markdown results table for bench/load/run.ts.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { REPO_ROOT } from '../../test/helpers/fixtures.ts';

/** One measured repetition of one target and scenario. */
export interface Sample {
  qps?: number | undefined;
  cpuUsPerQuery?: number | undefined;
  /** The kernel's part of cpuUsPerQuery (stime): the same syscalls cost the same here. */
  kernelUsPerQuery?: number | undefined;
  /** Server CPU time / wall time over the measured run, in percent of one core. */
  cpuPercent?: number | undefined;
  /** 1e6 / CPU µs per query: what one fully busy core would answer. */
  qpsPerCore?: number | undefined;
  /** Run-queue wait of the target over the run, in percent of wall time (CPU contention). */
  waitPercent?: number | undefined;
  /** The rate the fixed-rate run reached (below the asked rate: the target could not hold it). */
  latencyQps?: number | undefined;
  p50Ms?: number | undefined;
  p99Ms?: number | undefined;
  p999Ms?: number | undefined;
  sent?: number | undefined;
  lost?: number | undefined;
  latencyLost?: number | undefined;
  /** Upstream (both knots) queries per completed query during the measured run. */
  upstreamPerQuery?: number | undefined;
  /** Tree RSS after the warm-up (hit, mix) or after the runs (cold, miss), and the tree's peak. */
  rssMB?: number | undefined;
  peakRssMB?: number | undefined;
  rcodes?: string;
}

export interface Row extends Sample {
  target: string;
  scenario: string;
  /** Measured repetitions behind the row (each figure is their median) and their qps range. */
  repeats?: number;
  qpsRange?: readonly [number, number];
  error?: string;
  /** The target cannot run here (e.g. no node-cache anchor): not a failure. */
  unavailable?: string;
}

const NUMERIC: readonly (keyof Sample)[] = [
  'qps',
  'cpuUsPerQuery',
  'kernelUsPerQuery',
  'cpuPercent',
  'qpsPerCore',
  'waitPercent',
  'latencyQps',
  'p50Ms',
  'p99Ms',
  'p999Ms',
  'sent',
  'lost',
  'latencyLost',
  'upstreamPerQuery',
  'rssMB',
  'peakRssMB',
];

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Every figure is the median over the repetitions, each taken on its own. */
export function medianRow(target: string, scenario: string, samples: readonly Sample[]): Row {
  const row: Row = { target, scenario, repeats: samples.length };
  for (const key of NUMERIC) {
    const values = samples.map((s) => s[key]).filter((v): v is number => typeof v === 'number');
    (row as unknown as Record<string, unknown>)[key] = median(values);
  }
  const qps = samples.map((s) => s.qps ?? 0);
  if (samples.length > 1) row.qpsRange = [Math.min(...qps), Math.max(...qps)];
  const byQps = [...samples].sort((a, b) => (a.qps ?? 0) - (b.qps ?? 0));
  const mid = byQps[Math.floor((byQps.length - 1) / 2)];
  if (mid?.rcodes !== undefined) row.rcodes = mid.rcodes;
  return row;
}

function firstLine(cmd: string, args: string[], pattern?: RegExp): string {
  try {
    const out = execFileSync(cmd, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 5000,
    });
    const line = pattern ? out.split('\n').find((l) => pattern.test(l)) : out.split('\n')[0];
    return (line ?? '').trim() || 'unknown';
  } catch (err) {
    // dnsperf -h exits non-zero but prints its version
    const out = String((err as { stdout?: unknown }).stdout ?? '');
    return (
      out
        .split('\n')
        .find((l) => (pattern ?? /./).test(l))
        ?.trim() ?? 'unknown'
    );
  }
}

/** The VM may be shared: a busy machine explains noisy numbers. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' / ');
}

export function machineInfo(): Record<string, string> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  return {
    cpu: `${model} (${cpus().length} CPUs)`,
    kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
    node: process.version,
    dnsperf: firstLine('dnsperf', ['-h'], /^Version/),
    knot: firstLine('/usr/sbin/knotd', ['--version']),
    unbound: firstLine('/usr/sbin/unbound', ['-V'], /^Version/),
    dnsmasq: firstLine('/usr/sbin/dnsmasq', ['--version']),
    tree: firstLine('git', ['-C', REPO_ROOT, 'describe', '--always', '--dirty']),
    'load average at start (1/5/15 min)': loadAverage(),
  };
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined
    ? '–'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function header(latencyQps: number): string[] {
  return [
    'target',
    'scenario',
    'qps',
    'server CPU µs/query (kernel)',
    'qps per core',
    'CPU wait %',
    `p50 / p99 / p99.9 at ${fmt(latencyQps)} qps (ms)`,
    'fixed rate reached (qps)',
    'lost (max load / fixed rate)',
    'RSS MB (warm / peak)',
    'upstream queries per query',
    'rcodes',
  ];
}
const RIGHT = Array.from({ length: 12 }, (_, i) => i >= 2 && i <= 10);

/** A markdown table with padded cells, as the project's formatter (Biome) writes them. */
export function renderTable(
  header: readonly string[],
  right: readonly boolean[],
  rows: readonly string[][],
): string[] {
  const widths = header.map((h, i) =>
    Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((w, i) => (right[i] ? (cells[i] ?? '').padStart(w) : (cells[i] ?? '').padEnd(w))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)];
}

function cells(r: Row): string[] {
  // Pipes would end a cell early; error text may contain them.
  const note = (what: string, text: string): string[] => [
    r.target,
    r.scenario,
    what,
    ...Array.from({ length: 8 }, () => ''),
    (text.split('\n')[0] ?? '').slice(0, 120).replaceAll('|', '/'),
  ];
  if (r.unavailable !== undefined) return note('unavailable', r.unavailable);
  if (r.error !== undefined) return note('failed', r.error);
  const range = r.qpsRange ? ` (${fmt(r.qpsRange[0])}–${fmt(r.qpsRange[1])})` : '';
  return [
    r.target,
    r.scenario,
    `${fmt(r.qps)}${range}`,
    `${fmt(r.cpuUsPerQuery, 1)} (${fmt(r.kernelUsPerQuery, 1)})`,
    fmt(r.qpsPerCore),
    fmt(r.waitPercent),
    `${fmt(r.p50Ms, 2)} / ${fmt(r.p99Ms, 2)} / ${fmt(r.p999Ms, 2)}`,
    fmt(r.latencyQps),
    `${fmt(r.lost)} / ${fmt(r.latencyLost)}`,
    `${fmt(r.rssMB)} / ${fmt(r.peakRssMB)}`,
    fmt(r.upstreamPerQuery, 3),
    r.rcodes ?? '',
  ];
}

export function renderMarkdown(
  rows: readonly Row[],
  meta: {
    date: string;
    info: Record<string, string>;
    settings: string[];
    latencyQps: number;
    /** Sections after the table (the targets). */
    sections?: string[];
  },
): string {
  const out: string[] = [`# Load benchmark, ${meta.date}`, ''];
  for (const [k, v] of Object.entries(meta.info)) out.push(`- **${k}**: ${v}`);
  out.push(...meta.settings.map((s) => `- ${s}`), '');
  out.push(...renderTable(header(meta.latencyQps), RIGHT, rows.map(cells)));
  if (meta.sections !== undefined) out.push('', ...meta.sections);
  const contended = rows
    .filter((r) => (r.waitPercent ?? 0) > 10)
    .map((r) => `${r.target}/${r.scenario}`);
  if (contended.length > 0) {
    out.push(
      '',
      `**Contended rows** (CPU wait over 10 %: other processes on the machine took the target's CPU): ${contended.join(', ')}. ` +
        'Their qps and latency are lower bounds; server CPU µs/query stays comparable.',
    );
  }
  const failures = rows.filter((r) => r.error !== undefined);
  if (failures.length > 0) {
    out.push('', '## Failures');
    for (const f of failures) {
      out.push(
        '',
        `### ${f.target} / ${f.scenario}`,
        '',
        '```',
        (f.error ?? '').trim().slice(-1500),
        '```',
      );
    }
  }
  return `${out.join('\n')}\n`;
}
