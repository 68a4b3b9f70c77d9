// CoreDNS's round_robin (plugin/loadbalance/loadbalance.go): in each section of a NOERROR reply,
// CNAMEs first, then other records, then the A/AAAA records and then the MX records, each of
// those two groups shuffled. Replies with fewer than two address or MX records in a section are
// passed on as they are, without being taken apart.

import { RRType } from '../../dns/constants.ts';
import { type MessageLayout, walkMessage } from '../../dns/message.ts';
import { type ExpandedRecord, expandMessage, packMessage } from '../../dns/records.ts';

export type Random = (n: number) => number;

const defaultRandom: Random = (n) => Math.floor(Math.random() * n);

export function roundRobin(wire: Buffer, random: Random = defaultRandom): Buffer {
  let layout: MessageLayout;
  try {
    layout = walkMessage(wire);
  } catch {
    return wire;
  }
  if (layout.rcode !== 0 || layout.qtype === RRType.AXFR || layout.qtype === RRType.IXFR)
    return wire;
  if (!worthShuffling(layout)) return wire;
  const m = expandMessage(wire, layout);
  const bySection: ExpandedRecord[][] = [[], [], []];
  for (const r of m.records) bySection[r.section]?.push(r);
  m.records = bySection.flatMap((records) => reorder(records, random));
  return packMessage(m);
}

function worthShuffling(layout: MessageLayout): boolean {
  const counts = new Map<string, number>();
  for (const r of layout.records) {
    const group =
      r.type === RRType.A || r.type === RRType.AAAA ? 'a' : r.type === RRType.MX ? 'mx' : '';
    if (group === '') continue;
    const key = `${r.section}${group}`;
    const n = (counts.get(key) ?? 0) + 1;
    if (n >= 2) return true;
    counts.set(key, n);
  }
  return false;
}

function reorder(records: readonly ExpandedRecord[], random: Random): ExpandedRecord[] {
  const cname: ExpandedRecord[] = [];
  const address: ExpandedRecord[] = [];
  const mx: ExpandedRecord[] = [];
  const rest: ExpandedRecord[] = [];
  for (const r of records) {
    if (r.type === RRType.CNAME) cname.push(r);
    else if (r.type === RRType.A || r.type === RRType.AAAA) address.push(r);
    else if (r.type === RRType.MX) mx.push(r);
    else rest.push(r);
  }
  return [...cname, ...rest, ...shuffle(address, random), ...shuffle(mx, random)];
}

/** Fisher-Yates; every order equally likely. */
function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
