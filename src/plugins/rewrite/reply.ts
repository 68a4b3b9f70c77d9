// The reply side of rewrite (CoreDNS's ResponseReverter): the client's question back, an OPT the
// rewrite added removed, names changed by the answer rules and auto reversals, TTLs clamped by a
// ttl rule. The reply is re-packed from its expanded records, so pointers stay valid.

import { buildErrorReply } from '../../dns/build.ts';
import { HEADER_LENGTH, Rcode, RRType } from '../../dns/constants.ts';
import { nameToWire, readName } from '../../dns/name.ts';
import type { ScannedQuery } from '../../dns/query.ts';
import { expandMessage, packMessage, rdataNames } from '../../dns/records.ts';
import type { AnswerRule, NameMatch } from './rules.ts';
import { reverseName, substituteGroups } from './rules.ts';

export interface ReplyRules {
  readonly answer: AnswerRule[];
  readonly reversals: Array<{
    readonly rule: { readonly match: NameMatch; readonly to: string };
    readonly original: string;
    readonly rewritten: string;
  }>;
  ttl: readonly [number, number] | undefined;
}

/**
 * Types whose rdata name CoreDNS's reverter rewrites (getRecordValueForRewrite): one name each,
 * so a SOA's MNAME but not its RNAME, and never a PTR target. Found by the differential suite.
 */
const VALUE_TYPES: ReadonlySet<number> = new Set([
  RRType.NS,
  RRType.CNAME,
  39, // DNAME
  RRType.MX,
  RRType.SRV,
  RRType.SOA,
]);

export function revertReply(wire: Buffer, query: ScannedQuery, rules: ReplyRules): Buffer {
  try {
    const m = expandMessage(wire);
    m.question = {
      name: query.wire.subarray(HEADER_LENGTH, query.qnameEnd),
      type: query.qtype,
      class: query.qclass,
    };
    if (!query.hasEdns) m.records = m.records.filter((r) => r.type !== RRType.OPT);
    for (const r of m.records) {
      if (r.type === RRType.OPT) continue;
      r.name = renamed(r.name, rules, 'name');
      const inside = rdataNames(r);
      const [value, ...rest] = inside.names;
      if (value !== undefined && VALUE_TYPES.has(r.type))
        inside.replace([renamed(value, rules, 'value'), ...rest]);
      if (rules.ttl !== undefined) r.ttl = Math.min(Math.max(r.ttl, rules.ttl[0]), rules.ttl[1]);
    }
    return packMessage(m);
  } catch {
    // A reply we cannot take apart must not reach the client with the rewritten question.
    return buildErrorReply(query, Rcode.SERVFAIL);
  }
}

/** A name after the rules for its place (owner or rdata); the same bytes when nothing applies. */
function renamed(wire: Uint8Array, rules: ReplyRules, field: 'name' | 'value'): Uint8Array {
  const before = readName(wire, 0).toLowerCase();
  let name = before;
  for (const rule of rules.answer) {
    if (rule.field !== field) continue;
    const m = rule.pattern.exec(name);
    if (m !== null) name = substituteGroups(rule.replacement, Array.from(m)).toLowerCase();
  }
  for (let i = rules.reversals.length - 1; i >= 0; i--) {
    const r = rules.reversals[i];
    if (r === undefined) continue;
    name = reverseName(r.rule, r.original, r.rewritten, name) ?? name;
  }
  return name === before ? wire : nameToWire(name);
}
