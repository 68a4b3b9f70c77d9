// Warm restart: the cache written to a file on shutdown and read back at start, so an upgraded
// or restarted agent does not send a miss storm to kube-dns. In a rolling upgrade the old agent
// writes it after the new one started; the new one merges what it lacks (index.ts). The file ends in a SHA-256 of its
// contents; a missing, short or corrupt file is logged and ignored. Stored messages are walked
// again on load, so offsets are never taken on trust.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { HEADER_LENGTH } from '../../dns/constants.ts';
import { walkMessage } from '../../dns/message.ts';
import { lowerByte } from '../../dns/name.ts';
import type { Logger } from '../../util/log.ts';
import { CacheEntry, EntryKind, encodeTtlOffsets } from './entry.ts';
import type { CacheConfig } from './setup.ts';
import type { CacheStore } from './store.ts';

const MAGIC = 'NLDC';
const VERSION = 1;
const DIGEST_LENGTH = 32;

export async function saveSnapshot(
  store: CacheStore,
  path: string,
  log: Logger,
  wallNow = Date.now(),
  now = performance.now(),
): Promise<boolean> {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(4 + 1 + 8 + 4);
  head.write(MAGIC, 0, 'latin1');
  head[4] = VERSION;
  head.writeDoubleBE(wallNow, 5);
  let count = 0;
  parts.push(head);
  for (const sieve of [store.positive, store.negative]) {
    for (const e of sieve.entries()) {
      const key = Buffer.from(e.key, 'latin1');
      const meta = Buffer.allocUnsafe(2 + key.length + 1 + 4 + 8 + 2);
      let pos = meta.writeUInt16BE(key.length, 0);
      pos += key.copy(meta, pos);
      pos = meta.writeUInt8(e.kind, pos);
      pos = meta.writeUInt32BE(e.ttl, pos);
      pos = meta.writeDoubleBE(e.expiresAt - now, pos);
      meta.writeUInt16BE(e.wire.length, pos);
      parts.push(meta, Buffer.from(e.wire, 'latin1'));
      count++;
    }
  }
  head.writeUInt32BE(count, 13);
  const body = Buffer.concat(parts);
  const digest = createHash('sha256').update(body).digest();
  const tmp = `${path}.tmp`;
  try {
    await writeFile(tmp, Buffer.concat([body, digest]));
    await rename(tmp, path);
    log.info(`wrote ${count} entries to ${path}`);
    return true;
  } catch (err) {
    // A full disk leaves a partial file: remove it, so it does not hold the space; the last
    // complete snapshot (if any) stays as it was.
    await rm(tmp, { force: true }).catch(() => {});
    log.error(`could not write the cache snapshot ${path}: ${(err as Error).message}`);
    return false;
  }
}

/** Loads entries that are still fresh, or stale but inside the serve_stale window. */
export function loadSnapshot(
  store: CacheStore,
  config: CacheConfig,
  path: string,
  log: Logger,
  wallNow = Date.now(),
  now = performance.now(),
): number {
  const read = readSnapshot(config, path, log, wallNow, now);
  if (read === undefined) return 0;
  for (const entry of read.entries) store.put(entry);
  log.info(
    `loaded ${read.entries.length} entries from ${path} (${read.dropped} expired, snapshot ${Math.round(read.elapsedMs / 1000)}s old)`,
  );
  return read.entries.length;
}

/**
 * The hand-over of a rolling upgrade: the old agent writes its snapshot when it stops, after this
 * one started. Adds the entries this store lacks (what it has is newer); a bad file changes
 * nothing.
 */
export function mergeSnapshot(
  store: CacheStore,
  config: CacheConfig,
  path: string,
  log: Logger,
  wallNow = Date.now(),
  now = performance.now(),
): number {
  const read = readSnapshot(config, path, log, wallNow, now);
  if (read === undefined) return 0;
  let merged = 0;
  for (const entry of read.entries) {
    // what this store has is newer, except a cached SERVFAIL, which any answer beats
    const negative = store.negative.peek(entry.key);
    const known = negative !== undefined && negative.kind !== EntryKind.SERVFAIL;
    if (known || store.positive.peek(entry.key) !== undefined) continue;
    store.put(entry);
    merged++;
  }
  log.info(`merged ${merged} entries handed over in ${path}`);
  return merged;
}

interface SnapshotRead {
  readonly entries: CacheEntry[];
  readonly dropped: number;
  readonly elapsedMs: number;
}

/** Every usable entry of the file, or undefined (logged) when it is missing or bad. */
function readSnapshot(
  config: CacheConfig,
  path: string,
  log: Logger,
  wallNow: number,
  now: number,
): SnapshotRead | undefined {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (err) {
    log.info(
      `no cache snapshot loaded from ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
    return undefined;
  }
  try {
    return readEntries(file, config, wallNow, now);
  } catch (err) {
    log.warning(`ignoring the cache snapshot ${path}: ${(err as Error).message}`);
    return undefined;
  }
}

function readEntries(
  file: Buffer,
  config: CacheConfig,
  wallNow: number,
  now: number,
): SnapshotRead {
  if (file.length < 17 + DIGEST_LENGTH) throw new Error('file too short');
  const body = file.subarray(0, file.length - DIGEST_LENGTH);
  if (!createHash('sha256').update(body).digest().equals(file.subarray(body.length)))
    throw new Error('checksum mismatch (partial or corrupt file)');
  if (body.toString('latin1', 0, 4) !== MAGIC || body[4] !== VERSION)
    throw new Error('not a nodelocaldns cache snapshot of this version');
  const elapsedMs = Math.max(0, wallNow - body.readDoubleBE(5));
  const count = body.readUInt32BE(13);
  let pos = 17;
  const entries: CacheEntry[] = [];
  let dropped = 0;
  for (let i = 0; i < count; i++) {
    const keyLength = body.readUInt16BE(pos);
    const key = body.toString('latin1', pos + 2, pos + 2 + keyLength);
    pos += 2 + keyLength;
    const kind = body.readUInt8(pos);
    const ttl = body.readUInt32BE(pos + 1);
    const remainingMs = body.readDoubleBE(pos + 5) - elapsedMs;
    const wireLength = body.readUInt16BE(pos + 13);
    pos += 15;
    const wire = Buffer.allocUnsafeSlow(wireLength);
    if (body.copy(wire, 0, pos, pos + wireLength) !== wireLength)
      throw new Error('entry runs past the end');
    pos += wireLength;
    if (kind !== EntryKind.POSITIVE && kind !== EntryKind.NEGATIVE && kind !== EntryKind.SERVFAIL)
      throw new Error(`unknown entry kind ${kind}`);
    const usable =
      remainingMs > 0 || (kind !== EntryKind.SERVFAIL && remainingMs + config.serveStaleMs > 0);
    if (!usable) {
      dropped++;
      continue;
    }
    const layout = walkMessage(wire);
    if (!keyMatches(key, wire, layout.qnameEnd))
      throw new Error('entry key does not match its message');
    if (layout.opt !== undefined) throw new Error('stored message carries an OPT record');
    const offsets = encodeTtlOffsets(layout.records.map((r) => r.ttlOffset));
    const storedAt = now + remainingMs - ttl * 1000;
    entries.push(new CacheEntry(key, wire.toString('latin1'), offsets, kind, storedAt, ttl));
  }
  if (pos !== body.length) throw new Error('trailing bytes after the last entry');
  return { entries, dropped, elapsedMs };
}

/** The key is the stored question with its name lower-cased, plus at most a DO/CD suffix. */
function keyMatches(key: string, wire: Buffer, qnameEnd: number): boolean {
  const questionLength = qnameEnd + 4 - HEADER_LENGTH;
  if (key.length !== questionLength && key.length !== questionLength + 1) return false;
  for (let i = 0; i < questionLength; i++) {
    const b = wire[HEADER_LENGTH + i] as number;
    if (key.charCodeAt(i) !== (i < qnameEnd - HEADER_LENGTH ? lowerByte(b) : b)) return false;
  }
  return true;
}
