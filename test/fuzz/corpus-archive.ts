// Reads the CZ.NIC dns-fuzzing corpus straight out of its .tar.gz in memory: gunzip, then walk
// the 512-byte ustar headers. Unpacking 9,774 files to disk and reading them back takes ~9 s on
// these machines; this takes well under a second, which the replay test needs to stay short.
// test/fuzz/corpus.test.ts checks that it yields exactly what loadFuzzCorpus() yields.

import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { FUZZ_CORPUS_ARCHIVE } from '../helpers/fixtures.ts';

export interface CorpusPacket {
  /** Path inside the archive, as loadFuzzCorpus() names it (e.g. `packet/x.pkt`). */
  name: string;
  wire: Buffer;
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? raw.length : nul).toString('utf8');
}

/** Every `.pkt` file of the archive, sorted by name. */
export async function readCorpusArchive(archive = FUZZ_CORPUS_ARCHIVE): Promise<CorpusPacket[]> {
  const tar = gunzipSync(await readFile(archive));
  const out: CorpusPacket[] = [];
  let longName: string | undefined;
  let pos = 0;
  while (pos + 512 <= tar.length) {
    const block = tar.subarray(pos, pos + 512);
    if (block[0] === 0 && block.every((b) => b === 0)) break; // end-of-archive marker
    const size = Number.parseInt(field(block, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(block[156] ?? 0x30);
    const prefix = field(block, 345, 155);
    const base = field(block, 0, 100);
    const name = longName ?? (prefix === '' ? base : `${prefix}/${base}`);
    const body = tar.subarray(pos + 512, pos + 512 + size);
    pos += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    longName = undefined;
    if ((type === '0' || type === '\0') && name.endsWith('.pkt')) {
      out.push({ name: name.replace(/^\.\//, ''), wire: Buffer.from(body) });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
