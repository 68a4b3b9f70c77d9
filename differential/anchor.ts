// The real node-cache 1.26.0 (CoreDNS v1.11.3 inside) from ../shared/anchors, run standalone on
// loopback with node-cache's own flags: no interface, no iptables, no teardown. It is unpacked
// once per run into a temp dir. Nothing here talks to an address outside 127.0.0.0/8.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killAndWait } from '../test/helpers/knot.ts';
import { freePort } from '../test/helpers/ports.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const ANCHOR_DIR = resolve(REPO_ROOT, '../shared/anchors');
export const ANCHOR_ARCHIVE = join(ANCHOR_DIR, 'node-cache-1.26.0.xz');

export interface NodeCache {
  readonly pid: number;
  /** Replaces the Corefile (template and rendered copy), for the reload plugin to pick up. */
  writeCorefile(text: string): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Unpacks the anchor binary into `dir` and checks it against SHA256SUMS; returns its path. Also
 * the benchmark's (bench/load/peers.ts), so both run the very binary the checksum names.
 */
export function unpackNodeCache(dir: string): string {
  if (!existsSync(ANCHOR_ARCHIVE)) throw new Error(`no anchor at ${ANCHOR_ARCHIVE}`);
  const path = join(dir, 'node-cache');
  writeFileSync(path, execFileSync('xz', ['-dc', ANCHOR_ARCHIVE], { maxBuffer: 1 << 30 }), {
    mode: 0o755,
  });
  const sum = execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0] ?? '';
  const expected = readFileSync(join(ANCHOR_DIR, 'SHA256SUMS'), 'utf8');
  if (sum === '' || !expected.includes(sum)) throw new Error(`checksum mismatch for ${path}`);
  return path;
}

/**
 * node-cache's flags for a standalone run on loopback: no interface, no iptables, no teardown,
 * health and metrics on free loopback ports. `dnsPort` overrides the Corefile's port when given.
 */
export async function nodeCacheArgs(files: {
  base: string;
  conf: string;
  pidfile: string;
  dnsPort?: number;
}): Promise<string[]> {
  return [
    '-localip',
    '127.0.0.1',
    ...(files.dnsPort === undefined ? [] : ['-dns.port', String(files.dnsPort)]),
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
    files.base,
    '-conf',
    files.conf,
    '-pidfile',
    files.pidfile,
  ];
}

let unpacked: Promise<string> | undefined;

/** Path of the unpacked binary (unpacked on first use into a temp dir). */
function binary(): Promise<string> {
  unpacked ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'node-cache-bin-'));
    // The binary is about 50 MB: gone when the test process ends.
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return unpackNodeCache(dir);
  })();
  return unpacked;
}

/**
 * Starts node-cache with `corefile` (no placeholders left: node-cache would fill
 * __PILLAR__UPSTREAM__SERVERS__ from this machine's resolv.conf). Resolves once spawned; the
 * caller waits for it to answer.
 */
export async function startNodeCache(corefile: string): Promise<NodeCache> {
  if (corefile.includes('__PILLAR__')) throw new Error('unfilled placeholder in the Corefile');
  const bin = await binary();
  const dir = await mkdtemp(join(tmpdir(), 'node-cache-'));
  await writeFile(join(dir, 'Corefile.base'), corefile);
  const args = await nodeCacheArgs({
    base: join(dir, 'Corefile.base'),
    conf: join(dir, 'Corefile'),
    pidfile: join(dir, 'node-cache.pid'),
  });
  // An empty environment: no KUBE_DNS_UPSTREAM_SERVICE_HOST, nothing inherited.
  const child: ChildProcess = spawn(bin, args, {
    cwd: dir,
    env: {},
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (s: string): void => {
    output = (output + s).slice(-50_000);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<unknown>((r) => child.once('exit', r));
  // A test process that dies (timeout, crash) must not leave node-cache running on loopback.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  child.once('error', (err) => keep(`spawn error: ${err.message}\n`));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`node-cache did not start: ${output}`);
  return {
    pid,
    writeCorefile: async (text) => {
      await writeFile(join(dir, 'Corefile.base'), text);
      await writeFile(join(dir, 'Corefile'), text);
    },
    log: () => output,
    stop: async () => {
      await killAndWait(child, exited);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
