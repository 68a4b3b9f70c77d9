// The other servers a node could run instead: the real node-cache 1.26.0 (from
// ../shared/anchors, when that directory is there) and dnsmasq. With targets.ts's own three,
// TARGETS is the list the benchmark knows.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ANCHOR_ARCHIVE, nodeCacheArgs, unpackNodeCache } from '../../differential/anchor.ts';
import {
  bare,
  nodelocaldns,
  startPinned,
  type Target,
  unbound,
  writeNodeLocalCorefile,
} from './targets.ts';

/** The unpacked binary, per run dir (one unpack per benchmark run, checked against SHA256SUMS). */
const unpacked = new Map<string, string>();

function nodeCacheBinary(runDir: string): string {
  const known = unpacked.get(runDir) ?? unpackNodeCache(runDir);
  unpacked.set(runDir, known);
  return known;
}

/** node-cache 1.26.0 standalone on loopback (../shared/anchors/README.md): the same Corefile as
 * nodelocaldns, no interface, iptables or teardown. GOMAXPROCS follows the taskset mask: 1. */
export const nodeCache: Target = {
  name: 'node-cache',
  describe:
    'node-cache 1.26.0 (CoreDNS 1.11.3, ../shared/anchors), the same Corefile as nodelocaldns, -setupinterface=false -setupiptables=false',
  unavailable: () =>
    existsSync(ANCHOR_ARCHIVE) ? undefined : `no ${ANCHOR_ARCHIVE} on this machine`,
  async start(up, listenPort, workDir) {
    // workDir is <run>/<row>: one unpack in <run> serves every row.
    const bin = nodeCacheBinary(resolve(workDir, '..'));
    const { base, conf } = await writeNodeLocalCorefile(workDir, listenPort, up);
    const argv = [
      bin,
      ...(await nodeCacheArgs({
        base,
        conf,
        pidfile: join(workDir, 'node-cache.pid'),
        dnsPort: listenPort,
      })),
    ];
    // No inherited environment: node-cache reads KUBE_DNS_UPSTREAM_SERVICE_HOST and friends.
    return startPinned(argv, listenPort, { cwd: workDir, env: {} });
  },
};

/** dnsmasq 2.90 with the same split. It forwards a UDP query over UDP only (TCP upstream only
 * for a client's TCP query), so its cluster.local misses do not pay for TCP as the others do. */
export const dnsmasq: Target = {
  name: 'dnsmasq',
  describe:
    'dnsmasq 2.90, cache-size 10000, dns-forward-max 1000; forwards over **UDP only** (cluster.local too: no force_tcp)',
  start(up, listenPort, workDir) {
    return startPinned(
      [
        '/usr/sbin/dnsmasq',
        '--keep-in-foreground',
        '--conf-file=/dev/null',
        '--no-resolv',
        '--no-hosts',
        '--no-poll',
        '--user=root',
        `--pid-file=${join(workDir, 'dnsmasq.pid')}`,
        `--port=${listenPort}`,
        '--listen-address=127.0.0.1',
        '--bind-interfaces',
        '--cache-size=10000',
        '--dns-forward-max=1000',
        `--server=/cluster.local/127.0.0.1#${up.cluster}`,
        `--server=127.0.0.1#${up.external}`,
      ],
      listenPort,
    );
  },
};

export const TARGETS: readonly Target[] = [unbound, bare, nodelocaldns, nodeCache, dnsmasq];
