// Machine description and the markdown results table for bench/load/run.ts.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { REPO_ROOT } from '../../test/helpers/fixtures.ts';

export interface Row {
  target: string;
  scenario: string;
  /** Undefined when the run failed; `error` says why. */
  qps?: number | undefined;
  cpuUsPerQuery?: number | undefined;
  /** Server CPU time / wall time over the measured run, in percent of one core. */
  cpuPercent?: number | undefined;
  /** Run-queue wait of the target over the run, in percent of wall time (CPU contention). */
  waitPercent?: number | undefined;
  avgLatencyMs?: number | undefined;
  p50Ms?: number | undefined;
  p90Ms?: number | undefined;
  p99Ms?: number | undefined;
  sent?: number | undefined;
  lost?: number | undefined;
  latencyLost?: number | undefined;
  /** Upstream (knot) queries per completed query during the measured run. */
  upstreamPerQuery?: number | undefined;
  rcodes?: string;
  /** Measured runs behind the row (median by qps) and their qps range. */
  repeats?: number;
  qpsRange?: readonly [number, number];
  error?: string;
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
    tree: firstLine('git', ['-C', REPO_ROOT, 'describe', '--always', '--dirty']),
    'load average at start (1/5/15 min)': loadAverage(),
  };
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined
    ? '–'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

const HEADER = [
  'target',
  'scenario',
  'qps',
  'server CPU µs/query',
  'server CPU %',
  'CPU wait %',
  'avg latency at max load (ms)',
  'p50 / p90 / p99 at fixed rate (ms)',
  'lost (max load / fixed rate)',
  'upstream queries per query',
  'rcodes',
];
const RIGHT = HEADER.map((_, i) => i >= 2 && i <= 9);

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
  if (r.error !== undefined) {
    const why = (r.error.split('\n')[0] ?? '').slice(0, 120).replaceAll('|', '/');
    return [r.target, r.scenario, 'failed', '', '', '', '', '', '', '', why];
  }
  const range = r.qpsRange ? ` (${fmt(r.qpsRange[0])}–${fmt(r.qpsRange[1])})` : '';
  return [
    r.target,
    r.scenario,
    `${fmt(r.qps)}${range}`,
    fmt(r.cpuUsPerQuery, 1),
    fmt(r.cpuPercent),
    fmt(r.waitPercent),
    fmt(r.avgLatencyMs, 3),
    `${fmt(r.p50Ms, 3)} / ${fmt(r.p90Ms, 3)} / ${fmt(r.p99Ms, 3)}`,
    `${fmt(r.lost)} / ${fmt(r.latencyLost)}`,
    fmt(r.upstreamPerQuery, 3),
    r.rcodes ?? '',
  ];
}

export function renderMarkdown(
  rows: readonly Row[],
  meta: { date: string; info: Record<string, string>; settings: string[] },
): string {
  const out: string[] = [`# Load benchmark, ${meta.date}`, ''];
  for (const [k, v] of Object.entries(meta.info)) out.push(`- **${k}**: ${v}`);
  out.push(...meta.settings.map((s) => `- ${s}`), '');
  out.push(...renderTable(HEADER, RIGHT, rows.map(cells)));
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
