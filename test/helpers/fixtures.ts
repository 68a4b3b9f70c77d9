// Read-only test fixtures kept in the repository (test/fixtures/); archives are unpacked into
// temp dirs. The CZ.NIC corpus is a copy, so the tests need nothing outside the repository.

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const FUZZ_CORPUS_ARCHIVE = join(
  REPO_ROOT,
  'test',
  'fixtures',
  'dns-fuzzing',
  'dns-fuzzing-packets.tar.gz',
);

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

/**
 * Every packet of the corpus in memory, read straight from the archive (gunzip + ustar walk):
 * no temp dir and no 9,774 file creations, so it is fast enough for any unit test.
 */
export function loadFuzzCorpus(archive = FUZZ_CORPUS_ARCHIVE): { name: string; wire: Buffer }[] {
  return readTarGz(archive)
    .filter((e) => e.name.endsWith('.pkt'))
    .map((e) => ({ name: e.name, wire: e.data }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Regular files of a .tar.gz (ustar and GNU long names; other entry types skipped). */
export function readTarGz(archive: string): { name: string; data: Buffer }[] {
  const tar = gunzipSync(readFileSync(archive));
  const out: { name: string; data: Buffer }[] = [];
  const text = (from: number, to: number): string => {
    const field = tar.subarray(from, to);
    const nul = field.indexOf(0);
    return field.subarray(0, nul < 0 ? field.length : nul).toString('utf8');
  };
  let longName: string | undefined;
  for (let pos = 0; pos + 512 <= tar.length; ) {
    if (tar.subarray(pos, pos + 512).every((b) => b === 0)) break; // end-of-archive block
    const size = Number.parseInt(text(pos + 124, pos + 136).trim() || '0', 8);
    const type = String.fromCharCode(tar[pos + 156] as number);
    const prefix = text(pos + 345, pos + 500);
    const name = longName ?? (prefix ? `${prefix}/${text(pos, pos + 100)}` : text(pos, pos + 100));
    const data = tar.subarray(pos + 512, pos + 512 + size);
    longName = undefined;
    if (type === 'L') longName = data.toString('utf8').replace(/\0+$/, '');
    else if (type === '0' || type === '\0') out.push({ name, data: Buffer.from(data) });
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}
