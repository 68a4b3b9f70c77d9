// The Corefile nodelocaldns and node-cache both run in the load benchmark: node-cache's own
// ConfigMap on loopback. BENCH_COREFILE_WITHOUT (e.g. `errors,prometheus`) drops those
// one-line plugins from both server blocks, for A/B runs of what they cost per query.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/ports.ts';
import type { Upstreams } from './targets.ts';

/** Plugins BENCH_COREFILE_WITHOUT may drop: one line each, nothing else refers to them. */
const DROPPABLE = new Set(['errors', 'prometheus', 'reload']);

function droppedPlugins(): string[] {
  const names = (process.env['BENCH_COREFILE_WITHOUT'] ?? '').split(',').filter((n) => n !== '');
  for (const name of names) {
    if (!DROPPABLE.has(name)) {
      throw new Error(`BENCH_COREFILE_WITHOUT: ${name} is not one of ${[...DROPPABLE].join(', ')}`);
    }
  }
  return names;
}

/** For the report: what was taken out of the ConfigMap, if anything. */
export function corefileDescription(): string {
  const dropped = droppedPlugins();
  return dropped.length === 0
    ? "node-cache's ConfigMap (nodeLocalCorefile)"
    : `node-cache's ConfigMap (nodeLocalCorefile) **without ${dropped.map((d) => `\`${d}\``).join(', ')}** (BENCH_COREFILE_WITHOUT)`;
}

/**
 * node-cache's own ConfigMap (kubernetes/dns, nodelocaldns.yaml) on loopback, minus `loop` and
 * `health` (startup probes and a port, nothing per query): cluster.local to the cluster DNS over
 * TCP with its success/denial caches, everything else to the node's upstream over UDP with
 * `cache 30`. nodelocaldns and node-cache run exactly this text.
 */
export function nodeLocalCorefile(listenPort: number, up: Upstreams, metricsPort: number): string {
  const text = `cluster.local:${listenPort} {
    errors
    cache {
        success 9984 30
        denial 9984 5
    }
    reload
    bind 127.0.0.1
    forward . 127.0.0.1:${up.cluster} {
        force_tcp
    }
    prometheus 127.0.0.1:${metricsPort}
}
.:${listenPort} {
    errors
    cache 30
    reload
    bind 127.0.0.1
    forward . 127.0.0.1:${up.external}
    prometheus 127.0.0.1:${metricsPort}
}
`;
  const dropped = droppedPlugins();
  return text
    .split('\n')
    .filter((line) => !dropped.includes(line.trim().split(' ')[0] ?? ''))
    .join('\n');
}

/** Writes the Corefile as both node-cache's -basecorefile and its rendered -conf. */
export async function writeNodeLocalCorefile(
  workDir: string,
  listenPort: number,
  up: Upstreams,
  metricsPort?: number,
): Promise<{ base: string; conf: string }> {
  const corefile = nodeLocalCorefile(listenPort, up, metricsPort ?? (await freePort()));
  const base = join(workDir, 'Corefile.base');
  const conf = join(workDir, 'Corefile');
  await Promise.all([writeFile(base, corefile), writeFile(conf, corefile)]);
  return { base, conf };
}
