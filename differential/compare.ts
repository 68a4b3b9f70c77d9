// Field-by-field comparison of two replies to the same query: rcode, header flags, EDNS, and
// the answer/authority/additional sections as sets of records (order ignored: loadbalance
// shuffles, and RFC 1035 gives order no meaning). TTLs may differ by the seconds between the
// two queries; larger TTL gaps are differences. Each difference has a key (`flag.aa`,
// `edns.udp`, `answer`, ...) so a case can name the intended ones it expects.

import type { DigRecord } from '../test/helpers/dig.ts';
import { type InspectedMessage, inspect } from '../test/helpers/inspect.ts';

/** TTL slack between the two replies: they are asked within a second or two of each other. */
export const TTL_SLACK_SECONDS = 2;

export interface Difference {
  key: string;
  reference: string;
  candidate: string;
}

type SectionName = 'answer' | 'authority' | 'additional';
const SECTIONS: SectionName[] = ['answer', 'authority', 'additional'];

/** Optional per-case rewrite of records before comparing (e.g. whoami's client port). */
export type RecordMask = (r: DigRecord) => DigRecord;

function recordKey(r: DigRecord): string {
  return `${r.name.toLowerCase()} ${r.class} ${r.type} ${r.data}`;
}

function ednsText(m: InspectedMessage): { udp: string; do: string; options: string } {
  if (!m.edns.present) return { udp: 'none', do: 'none', options: 'none' };
  return {
    udp: String(m.edns.udpSize),
    do: String(m.edns.do),
    options: m.edns.options.map((o) => o.code).join(',') || '-',
  };
}

function compareSection(
  name: SectionName,
  ref: DigRecord[],
  cand: DigRecord[],
  out: Difference[],
): void {
  const refKeys = ref.map(recordKey).sort();
  const candKeys = cand.map(recordKey).sort();
  if (refKeys.join('\n') !== candKeys.join('\n')) {
    out.push({ key: name, reference: refKeys.join(' | '), candidate: candKeys.join(' | ') });
    return;
  }
  // Same record set: TTLs record by record (sorted by key, each key's TTLs sorted).
  const ttls = (rs: DigRecord[]): string[] =>
    rs.map((r) => `${recordKey(r)}\t${String(r.ttl).padStart(10, '0')}`).sort();
  const [a, b] = [ttls(ref), ttls(cand)];
  for (let i = 0; i < a.length; i++) {
    const ta = Number((a[i] ?? '').split('\t')[1]);
    const tb = Number((b[i] ?? '').split('\t')[1]);
    if (Math.abs(ta - tb) > TTL_SLACK_SECONDS) {
      out.push({ key: `${name}.ttl`, reference: `${a[i]}`, candidate: `${b[i]}` });
      return;
    }
  }
}

/** Differences between the reference (node-cache) reply and the candidate (nodelocaldns). */
export function compareReplies(
  refWire: Buffer,
  candWire: Buffer,
  mask: RecordMask = (r) => r,
): Difference[] {
  const ref = inspect(refWire);
  const cand = inspect(candWire);
  const out: Difference[] = [];
  if (ref.status !== cand.status) {
    out.push({ key: 'rcode', reference: ref.status, candidate: cand.status });
  }
  const q = (m: InspectedMessage): string =>
    m.question === undefined ? '-' : `${m.question.name} ${m.question.class} ${m.question.type}`;
  if (q(ref) !== q(cand)) out.push({ key: 'question', reference: q(ref), candidate: q(cand) });
  for (const flag of ['qr', 'aa', 'tc', 'rd', 'ra', 'ad', 'cd']) {
    const [a, b] = [ref.flags.includes(flag), cand.flags.includes(flag)];
    if (a !== b) out.push({ key: `flag.${flag}`, reference: String(a), candidate: String(b) });
  }
  const [ea, eb] = [ednsText(ref), ednsText(cand)];
  for (const field of ['udp', 'do', 'options'] as const) {
    if (ea[field] !== eb[field]) {
      out.push({ key: `edns.${field}`, reference: ea[field], candidate: eb[field] });
    }
  }
  for (const name of SECTIONS) {
    // OPT is compared above, not as a record.
    const records = (m: InspectedMessage): DigRecord[] =>
      m[name].filter((r) => r.type !== 'OPT').map(mask);
    compareSection(name, records(ref), records(cand), out);
  }
  return out;
}

export function formatDifferences(diffs: readonly Difference[]): string {
  return diffs
    .map((d) => `  ${d.key}: node-cache=${d.reference} nodelocaldns=${d.candidate}`)
    .join('\n');
}
