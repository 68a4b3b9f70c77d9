// Prometheus text exposition format 0.0.4: `# HELP`, `# TYPE`, then samples. Collectors write
// samples in any order; the writer groups them per family so each family appears once, with
// its HELP and TYPE, as the format requires.

import type { Histogram } from './histogram.ts';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * How one family's samples combine when several workers render it (src/metrics/merge.ts):
 * `sum` adds a series' values (counters, histograms, and gauges each worker holds its own share
 * of, such as cache entries); `max` keeps the largest (gauges every worker holds the same copy
 * of, such as a hosts file's entries, or a timestamp).
 */
export type MergeMode = 'sum' | 'max';

/** Label pairs in output order. Values are escaped by the writer. */
export type Labels = ReadonlyArray<readonly [string, string]>;

/** One family as rendered: what a worker sends the main thread to merge. */
export interface Family {
  readonly help: string;
  readonly type: MetricType;
  readonly merge: MergeMode;
  readonly lines: string[];
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** `\` → `\\`, newline → `\n`, `"` → `\"` (label values). */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\\n"]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : '\\"'));
}

/** `\` → `\\`, newline → `\n` (HELP text). */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'));
}

/** Go's strconv.FormatFloat(v, 'g', -1, 64) shape where it matters: +Inf, -Inf, NaN, plain numbers. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

function renderLabels(labels: Labels, extra?: readonly [string, string]): string {
  if (labels.length === 0 && extra === undefined) return '';
  const parts = labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  if (extra !== undefined) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return `{${parts.join(',')}}`;
}

export class ExpositionWriter {
  readonly #families = new Map<string, Family>();

  /** Declares a family (idempotent); a family declared but never sampled prints HELP/TYPE only. */
  family(name: string, help: string, type: MetricType, merge: MergeMode = 'sum'): void {
    if (!this.#families.has(name)) this.#families.set(name, { help, type, merge, lines: [] });
  }

  #lines(name: string): string[] {
    const family = this.#families.get(name);
    if (family === undefined) throw new Error(`metric family ${name} written before declared`);
    return family.lines;
  }

  sample(name: string, labels: Labels, value: number): void {
    this.#lines(name).push(`${name}${renderLabels(labels)} ${formatValue(value)}`);
  }

  /** `_bucket{le}` (cumulative), `_sum` and `_count` of one histogram series. */
  histogram(name: string, labels: Labels, h: Histogram): void {
    const lines = this.#lines(name);
    let cumulative = 0;
    for (let i = 0; i < h.bounds.length; i++) {
      cumulative += h.counts[i] as number;
      const le = formatValue(h.bounds[i] as number);
      lines.push(`${name}_bucket${renderLabels(labels, ['le', le])} ${formatValue(cumulative)}`);
    }
    lines.push(`${name}_bucket${renderLabels(labels, ['le', '+Inf'])} ${formatValue(h.count)}`);
    lines.push(`${name}_sum${renderLabels(labels)} ${formatValue(h.sum)}`);
    lines.push(`${name}_count${renderLabels(labels)} ${formatValue(h.count)}`);
  }

  /** The families written so far, in declaration order (structured-clone safe). */
  families(): Map<string, Family> {
    return this.#families;
  }

  toString(): string {
    return renderFamilies(this.#families);
  }
}

export function renderFamilies(families: ReadonlyMap<string, Family>): string {
  const out: string[] = [];
  for (const [name, f] of families) {
    out.push(`# HELP ${name} ${escapeHelp(f.help)}`, `# TYPE ${name} ${f.type}`, ...f.lines);
  }
  return `${out.join('\n')}\n`;
}
