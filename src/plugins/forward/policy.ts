// The order in which one query tries the upstreams (CoreDNS plugin/forward/policy.go). Orders
// that do not depend on the query are built once, so most queries allocate nothing here.

import type { Policy } from './config.ts';

export type Orderer<T> = () => readonly T[];

export function makeOrderer<T>(policy: Policy, items: readonly T[]): Orderer<T> {
  const fixed = Object.freeze([...items]);
  switch (policy) {
    case 'sequential':
      return () => fixed;
    case 'round_robin': {
      // Upstream i first, then the others in configured order; the shared counter is bumped
      // before use, so the first query starts at the second upstream (CoreDNS TestList).
      const rotations = items.map((item, i) =>
        Object.freeze([item, ...items.slice(0, i), ...items.slice(i + 1)]),
      );
      let robin = 0;
      return () => {
        robin = (robin + 1) >>> 0;
        return rotations[robin % rotations.length] ?? fixed;
      };
    }
    case 'random':
      return randomOrderer(fixed);
  }
}

function randomOrderer<T>(fixed: readonly T[]): Orderer<T> {
  if (fixed.length < 2) return () => fixed;
  if (fixed.length === 2) {
    const swapped = Object.freeze([fixed[1] as T, fixed[0] as T]);
    return () => (Math.random() < 0.5 ? swapped : fixed);
  }
  return () => shuffled(fixed);
}

/** A random permutation (Fisher-Yates). */
export function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return out;
}

/** One item at random (the all-down fallback). */
export function pickRandom<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)] as T;
}
