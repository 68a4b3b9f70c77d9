// The real node-cache 1.26.0 (CoreDNS v1.11.3 inside) from ../shared/anchors, run standalone on
// loopback with node-cache's own flags: no interface, no iptables, no teardown. It is unpacked
// once per run into a temp dir. Nothing here talks to an address outside 127.0.0.0/8.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killAndWait } from '../test/helpers/knot.ts';
import { freePort } from '../test/helpers/ports.ts';

export const REPO_ROOT = resolve(import.meta.dirname, '..');
export const ANCHOR_DIR = resolve(REPO_ROOT, '../shared/anchors');
const ANCHOR_ARCHIVE = join(ANCHOR_DIR, 'node-cache-1.26.0.xz');

export interface NodeCache {
  readonly pid: number;
  /** Replaces the Corefile (template and rendered copy), for the reload plugin to pick up. */
  writeCorefile(text: string): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

let unpacked: Promise<string> | undefined;

/** Path of the unpacked binary (unpacked on first use, checked against SHA256SUMS). */
function binary(): Promise<string> {
  unpacked ??= (async () => {
    if (!existsSync(ANCHOR_ARCHIVE)) throw new Error(`no anchor at ${ANCHOR_ARCHIVE}`);
    const dir = await mkdtemp(join(tmpdir(), 'node-cache-bin-'));
    // The binary is about 50 MB: gone when the test process ends.
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'node-cache');
    await writeFile(path, execFileSync('xz', ['-dc', ANCHOR_ARCHIVE], { maxBuffer: 1 << 30 }), {
      mode: 0o755,
    });
    const sum = execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0] ?? '';
    const expected = readFileSync(join(ANCHOR_DIR, 'SHA256SUMS'), 'utf8');
    if (sum === '' || !expected.includes(sum)) throw new Error(`checksum mismatch for ${path}`);
    return path;
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
  const args = [
    '-localip',
    '127.0.0.1',
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
    join(dir, 'Corefile.base'),
    '-conf',
    join(dir, 'Corefile'),
    '-pidfile',
    join(dir, 'node-cache.pid'),
  ];
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
