// Shared read-only fixtures. The shared folder sits next to the repository (`../shared`
// relative to the repo root, in CI too); archives are unpacked into temp dirs, never committed.

import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const SHARED_DIR = resolve(REPO_ROOT, '../shared');
export const FUZZ_CORPUS_ARCHIVE = join(SHARED_DIR, 'fixtures', 'dns-fuzzing-packets.tar.gz');

export interface UnpackedCorpus {
  dir: string;
  /** Absolute paths of the `.pkt` files (one raw DNS message each), sorted. */
  files: string[];
  cleanup(): Promise<void>;
}

/** Unpacks the CZ.NIC dns-fuzzing corpus (9,774 packets) into a fresh temp dir. */
export async function unpackFuzzCorpus(archive = FUZZ_CORPUS_ARCHIVE): Promise<UnpackedCorpus> {
  const dir = await mkdtemp(join(tmpdir(), 'dns-fuzz-'));
  const cleanup = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    await execFileAsync('tar', ['xzf', archive, '-C', dir], { timeout: 60_000 });
    const entries = await readdir(dir, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile() && e.name.endsWith('.pkt'))
      .map((e) => join(e.parentPath, e.name))
      .sort();
    return { dir, files, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Unpacks the corpus, reads every packet into memory and removes the temp dir again. */
export async function loadFuzzCorpus(): Promise<{ name: string; wire: Buffer }[]> {
  const corpus = await unpackFuzzCorpus();
  try {
    return await Promise.all(
      corpus.files.map(async (f) => ({
        name: f.slice(corpus.dir.length + 1),
        wire: await readFile(f),
      })),
    );
  } finally {
    await corpus.cleanup();
  }
}
