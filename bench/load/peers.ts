// The other servers a node could run instead: the real node-cache 1.26.0 (from
// ../shared/anchors, when that directory is there) and dnsmasq. With targets.ts's own three,
// TARGETS is the list the benchmark knows.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../../test/helpers/fixtures.ts';
import { freePort } from '../../test/helpers/ports.ts';
import {
  bare,
  nodelocaldns,
  startPinned,
  type Target,
  unbound,
  writeNodeLocalCorefile,
} from './targets.ts';

const ANCHOR_DIR = resolve(REPO_ROOT, '../shared/anchors');
const ANCHOR = join(ANCHOR_DIR, 'node-cache-1.26.0.xz');

/** The unpacked binary, per work dir (one unpack per benchmark run, checked against SHA256SUMS). */
const unpacked = new Map<string, string>();

function nodeCacheBinary(runDir: string): string {
  const known = unpacked.get(runDir);
  if (known !== undefined) return known;
  const path = join(runDir, 'node-cache');
  writeFileSync(path, execFileSync('xz', ['-dc', ANCHOR], { maxBuffer: 1 << 30 }), { mode: 0o755 });
  const sum = execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0] ?? '';
  if (sum === '' || !readFileSync(join(ANCHOR_DIR, 'SHA256SUMS'), 'utf8').includes(sum)) {
    throw new Error(`checksum of ${path} not in ${ANCHOR_DIR}/SHA256SUMS`);
  }
  unpacked.set(runDir, path);
  return path;
}

/** node-cache 1.26.0 standalone on loopback (../shared/anchors/README.md): the same Corefile as
 * nodelocaldns, no interface, iptables or teardown. GOMAXPROCS follows the taskset mask: 1. */
export const nodeCache: Target = {
  name: 'node-cache',
  describe:
    'node-cache 1.26.0 (CoreDNS 1.11.3, ../shared/anchors), the same Corefile as nodelocaldns, -setupinterface=false -setupiptables=false',
  unavailable: () => (existsSync(ANCHOR) ? undefined : `no ${ANCHOR} on this machine`),
  async start(up, listenPort, workDir) {
    // workDir is <run>/<row>: one unpack in <run> serves every row.
    const bin = nodeCacheBinary(resolve(workDir, '..'));
    const { base, conf } = await writeNodeLocalCorefile(workDir, listenPort, up);
    const argv = [
      bin,
      '-localip',
      '127.0.0.1',
      '-dns.port',
      String(listenPort),
      '-setupinterface=false',
      '-setupiptables=false',
      '-skipteardown=true',
      '-upstreamsvc',
      'kube-dns-upstream',
      '-health-port',
      String(await freePort()),
      '-metrics-listen-address',
      `127.0.0.1:${await freePort()}`,
      '-basecorefile',
      base,
      '-conf',
      conf,
      '-pidfile',
      join(workDir, 'node-cache.pid'),
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
