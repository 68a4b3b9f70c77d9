// Asks both servers the same query, reference first, and compares the replies.

import { type Proto, type QuerySpec, query } from '../test/helpers/client.ts';
import { inspect } from '../test/helpers/inspect.ts';
import { compareReplies, type Difference, formatDifferences, type RecordMask } from './compare.ts';
import type { Pair, Side } from './pair.ts';

/** Every query carries this ID (raw queries too), so replies match whatever the transport. */
export const QUERY_ID = 0x4242;

export interface Case {
  /** What the case shows, for failure messages. */
  title: string;
  query: QuerySpec & { proto?: Proto; host?: string };
  /** Ids of intended differences (intended.ts) this case may show. */
  intended?: readonly string[];
  mask?: RecordMask;
  /**
   * What node-cache's reply must look like, so a case cannot pass by both servers failing
   * alike: matched against `STATUS name TYPE data | ...` (answer section), or `no reply`.
   */
  expect?: RegExp;
}

export interface Outcome {
  title: string;
  differences: Difference[];
}

async function ask(side: Side, c: Case): Promise<Buffer | Error> {
  try {
    return await query({
      edns: true,
      ...c.query,
      id: QUERY_ID,
      host: c.query.host ?? '127.0.0.1',
      port: side.ports.dns,
      proto: c.query.proto ?? 'udp',
      timeoutMs: c.query.host === undefined ? 3000 : 500,
    });
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function summary(reply: Buffer | Error): string {
  if (reply instanceof Error) return 'no reply';
  const m = inspect(reply);
  return [m.status, ...m.answer.map((r) => `${r.name} ${r.type} ${r.data}`)].join(' | ');
}

/** Runs the cases in order on both sides; a query neither side answers compares equal. */
export async function runCases(pair: Pair, cases: readonly Case[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const c of cases) {
    const ref = await ask(pair.reference, c);
    const cand = await ask(pair.candidate, c);
    let differences: Difference[];
    if (ref instanceof Error || cand instanceof Error) {
      const text = (r: Buffer | Error): string => (r instanceof Error ? 'no reply' : 'reply');
      differences =
        text(ref) === text(cand)
          ? []
          : [{ key: 'reply', reference: text(ref), candidate: text(cand) }];
    } else {
      differences = compareReplies(ref, cand, c.mask);
    }
    const seen = summary(ref);
    if (c.expect !== undefined && !c.expect.test(seen)) {
      differences.push({ key: 'expect', reference: seen, candidate: `(wanted ${c.expect})` });
    }
    outcomes.push({ title: c.title, differences });
  }
  return outcomes;
}

/** Differences of each outcome that its case's intended ids do not cover, as text. */
export function unintended(
  cases: readonly Case[],
  outcomes: readonly Outcome[],
  intendedKeys: (id: string) => readonly string[],
): string[] {
  const out: string[] = [];
  outcomes.forEach((o, i) => {
    const allowed = new Set((cases[i]?.intended ?? []).flatMap(intendedKeys));
    const left = o.differences.filter((d) => !allowed.has(d.key));
    if (left.length > 0) out.push(`${o.title}:\n${formatDifferences(left)}`);
  });
  return out;
}

/**
 * Intended ids that some case names but no case shows: a stale row in the table, or a
 * comparison that can no longer tell the two servers apart.
 */
export function unobserved(
  cases: readonly Case[],
  outcomes: readonly Outcome[],
  intendedKeys: (id: string) => readonly string[],
): string[] {
  const named = new Set(cases.flatMap((c) => c.intended ?? []));
  const seen = new Set<string>();
  outcomes.forEach((o, i) => {
    for (const id of cases[i]?.intended ?? []) {
      const keys = intendedKeys(id);
      if (o.differences.some((d) => keys.includes(d.key))) seen.add(id);
    }
  });
  return [...named].filter((id) => !seen.has(id)).sort();
}
