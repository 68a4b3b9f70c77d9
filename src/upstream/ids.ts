// Message IDs for upstream queries. They come from the CSPRNG: a predictable ID would let an
// off-path attacker forge UDP answers. Random bytes are drawn in blocks so one ID costs an array
// read, not a system call.

import { randomFillSync } from 'node:crypto';

const BLOCK = 4096;
const pool = new Uint16Array(BLOCK);
let next = BLOCK;

/** A random 16-bit message ID. */
export function randomId(): number {
  if (next === BLOCK) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++] as number;
}

/** A random ID that is not a key of `inUse`. The caller keeps `inUse` well below 65536 entries. */
export function freshId(inUse: ReadonlyMap<number, unknown>): number {
  let id = randomId();
  while (inUse.has(id)) id = randomId();
  return id;
}
