// CoreDNS's round_robin (plugin/loadbalance/loadbalance.go): in each section of a NOERROR reply,
// CNAMEs first, then other records, then the A/AAAA records and then the MX records, each of
// those two groups shuffled. Replies already in that order with at most one address and one MX
// record per section are passed on as they are, without being taken apart.

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

/** CoreDNS's order within a section: CNAME, other records, A/AAAA, MX. */
function rank(type: number): number {
  if (type === RRType.CNAME) return 0;
  if (type === RRType.A || type === RRType.AAAA) return 2;
  return type === RRType.MX ? 3 : 1;
}

/** True when some section is out of CoreDNS's order or has two records of a shuffled group. */
function worthShuffling(layout: MessageLayout): boolean {
  let section = -1;
  let last = 0;
  for (const r of layout.records) {
    const k = rank(r.type);
    if (r.section !== section) {
      section = r.section;
      last = k;
      continue;
    }
    if (k < last || (k === last && k >= 2)) return true;
    last = k;
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
