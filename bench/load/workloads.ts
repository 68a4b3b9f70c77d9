// The zones the two knot upstreams serve and the query files of the four scenarios. Like a real
// node: the cluster DNS (kube-dns) answers cluster.local, another upstream answers everything
// else, and pods ask through a ndots:5 search list, so most external names cost three
// NXDOMAINs from the cluster zone before the real question.

import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export type ScenarioName = 'hit' | 'mix' | 'cold' | 'miss';
export const SCENARIOS: readonly ScenarioName[] = ['hit', 'mix', 'cold', 'miss'];

/** Services per namespace (default and shop) in the cluster zone; the mix asks for all. */
const SERVICES = 50;

/** kube-dns's shape: 30 s records, negative answers for 5 s (the SOA minimum). `*.bench.svc`
 * answers the hit and miss names and the cold pass's new services. */
export const CLUSTER_ZONE = `$ORIGIN cluster.local.
@ 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5
@ 30 IN NS ns.dns.cluster.local.
ns.dns 30 IN A 10.96.0.10
${Array.from({ length: SERVICES }, (_, i) => `svc${i}.default.svc 30 IN A 10.96.1.${i + 1}\nsvc${i}.shop.svc 30 IN A 10.96.2.${i + 1}`).join('\n')}
*.bench.svc 30 IN A 10.96.200.1
`;

/** Every external name answers A and AAAA from the wildcard, for 300 s. */
export const EXTERNAL_ZONE = `$ORIGIN example.test.
@ 300 IN SOA ns hostmaster 1 7200 1800 86400 60
@ 300 IN NS ns
ns 300 IN A 192.0.2.53
* 300 IN A 192.0.2.1
* 300 IN AAAA 2001:db8::1
`;

/** A pod in namespace `default` with ndots:5: the names its resolver asks for `name`, in order,
 * A and AAAA for each, up to the first that exists (glibc asks both in parallel). */
function searchList(name: string, exists: (candidate: string) => boolean): string[] {
  const dots = name.split('.').length - 1;
  const candidates =
    dots >= 5
      ? [name]
      : [
          `${name}.default.svc.cluster.local`,
          `${name}.svc.cluster.local`,
          `${name}.cluster.local`,
          name,
        ];
  const out: string[] = [];
  for (const c of candidates) {
    out.push(`${c} A`, `${c} AAAA`);
    if (exists(c)) break;
  }
  return out;
}

const existsInCluster = (c: string): boolean =>
  /^svc\d+\.(default|shop)\.svc\.cluster\.local$/.test(c) ||
  /\.bench\.svc\.cluster\.local$/.test(c);
const external = (c: string): boolean => c.endsWith('.example.test');

/** The pod mix: `externals` outside names through the search list (8 queries each), every
 * service of `default` by its short name and of `shop` as `NAME.shop` (a cross-namespace
 * call, one NXDOMAIN first). `tag` makes every name new (the cold pass); without it the names
 * repeat from run to run. Interleaved so no kind comes in one long block. */
export function podMix(externals: number, tag?: string): string[] {
  const groups: string[][] = [];
  const t = tag === undefined ? '' : `-${tag}`;
  for (let i = 0; i < externals; i++) {
    groups.push(searchList(`api${i}${t}.example.test`, (c) => external(c)));
  }
  const services = tag === undefined ? SERVICES : Math.ceil(externals / 4);
  for (let i = 0; i < services; i++) {
    if (tag === undefined) {
      groups.push(searchList(`svc${i}`, existsInCluster));
      groups.push(searchList(`svc${i}.shop`, existsInCluster));
    } else {
      // New services: only `*.bench.svc` answers names never seen before.
      groups.push(searchList(`n${i}${t}.bench`, existsInCluster));
    }
  }
  // A fixed interleave (every 7th group), reproducible from run to run.
  const out: string[] = [];
  for (let start = 0; start < 7; start++) {
    for (let g = start; g < groups.length; g += 7) out.push(...(groups[g] ?? []));
  }
  return out;
}

export interface QueryFiles {
  /** The measured closed-loop run. */
  load: string;
  /** The fixed-rate run that gives the percentiles. */
  latency: string;
  /** One pass before measuring (hit, mix), so the measured runs find a warm cache. */
  warm?: string;
  /** The load run asks every line once (-n 1): cold and miss, whose names must be new. */
  once: boolean;
}

export interface WorkloadSizes {
  hitNames: number;
  missNames: number;
  mixExternals: number;
  coldExternals: number;
  latencyQueries: number;
}

async function lines(file: string, list: readonly string[]): Promise<string> {
  await writeFile(file, `${list.join('\n')}\n`);
  return file;
}

/** Query files for one row; cold and miss get names no run has asked before. */
export async function queryFiles(
  scenario: ScenarioName,
  dir: string,
  sizes: WorkloadSizes,
): Promise<QueryFiles> {
  const tag = randomBytes(4).toString('hex');
  switch (scenario) {
    case 'hit': {
      const names = Array.from(
        { length: sizes.hitNames },
        (_, i) => `h${i}.bench.svc.cluster.local A`,
      );
      const file = await lines(join(dir, 'hit.txt'), names);
      return { load: file, latency: file, warm: file, once: false };
    }
    case 'mix': {
      const file = await lines(join(dir, 'mix.txt'), podMix(sizes.mixExternals));
      return { load: file, latency: file, warm: file, once: false };
    }
    case 'cold': {
      // The latency pass is a second cold pass at the fixed rate, with its own new names.
      const perExternal = 9; // 8 queries per external name plus the services' share
      return {
        load: await lines(join(dir, 'cold.txt'), podMix(sizes.coldExternals, tag)),
        latency: await lines(
          join(dir, 'cold-lat.txt'),
          podMix(Math.ceil(sizes.latencyQueries / perExternal), `l${tag}`),
        ),
        once: true,
      };
    }
    case 'miss': {
      const name = (p: string) => (_: unknown, i: number) =>
        `${p}${i}-${tag}.bench.svc.cluster.local A`;
      return {
        load: await lines(
          join(dir, 'miss.txt'),
          Array.from({ length: sizes.missNames }, name('m')),
        ),
        latency: await lines(
          join(dir, 'miss-lat.txt'),
          Array.from({ length: sizes.latencyQueries }, name('l')),
        ),
        once: true,
      };
    }
  }
}
