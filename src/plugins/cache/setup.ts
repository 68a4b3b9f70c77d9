// `cache [TTL] [ZONES...] { ... }` parsed as CoreDNS does (plugin/cache/setup.go), plus
// `persist FILE` for warm restarts.

import type { BlockInfo } from '../../chain/definition.ts';
import type { DirectiveReader } from '../../corefile/model.ts';
import { normalizeName } from '../../dns/name.ts';
import { parseGoDuration } from '../../util/duration.ts';

export interface TtlBounds {
  readonly capacity: number;
  /** Seconds. */
  readonly maxTtl: number;
  readonly minTtl: number;
}

export type StaleMode = 'immediate' | 'verify';

export interface CacheConfig {
  readonly zones: readonly string[];
  readonly success: TtlBounds;
  readonly denial: TtlBounds;
  /** Prefetch when an entry was hit `amount` times within `durationMs` and has `percentage`% of its TTL left; 0 = off. */
  readonly prefetch: {
    readonly amount: number;
    readonly durationMs: number;
    readonly percentage: number;
  };
  /** How long past expiry an entry may still be served; 0 = off. */
  readonly serveStaleMs: number;
  readonly staleMode: StaleMode;
  /** Seconds a SERVFAIL/NOTIMP from upstream is cached; 0 = not cached. */
  readonly servfailTtl: number;
  readonly disableSuccess: readonly string[];
  readonly disableDenial: readonly string[];
  readonly keepTtl: boolean;
  /** Snapshot file written on shutdown and read at start; undefined = off. */
  readonly persistPath: string | undefined;
}

export const DEFAULT_CAPACITY = 10_000;
export const DEFAULT_SUCCESS_MAX_TTL = 3600;
export const DEFAULT_DENIAL_MAX_TTL = 1800;
export const DEFAULT_MIN_TTL = 5;
export const DEFAULT_SERVFAIL_TTL = 5;
const MAX_SERVFAIL_MS = 5 * 60_000;
const DEFAULT_SERVE_STALE_MS = 3_600_000;

export function parseCache(d: DirectiveReader, block: BlockInfo): CacheConfig {
  const args = [...d.args];
  let maxTtl: number | undefined;
  if (args[0] !== undefined && /^-?\d+$/.test(args[0])) {
    maxTtl = Number(args.shift());
    if (maxTtl <= 0)
      throw d.error('ERR_COREFILE_VALUE', `cache TTL must be positive, got ${maxTtl}`);
  }
  const zones = args.length > 0 ? args.map((z) => normalizeZone(d, z)) : [...block.zones];
  let success: TtlBounds = {
    capacity: DEFAULT_CAPACITY,
    maxTtl: maxTtl ?? DEFAULT_SUCCESS_MAX_TTL,
    minTtl: DEFAULT_MIN_TTL,
  };
  let denial: TtlBounds = {
    capacity: DEFAULT_CAPACITY,
    maxTtl: maxTtl ?? DEFAULT_DENIAL_MAX_TTL,
    minTtl: DEFAULT_MIN_TTL,
  };
  let prefetch = { amount: 0, durationMs: 60_000, percentage: 10 };
  let serveStaleMs = 0;
  let staleMode: StaleMode = 'immediate';
  let servfailTtl = DEFAULT_SERVFAIL_TTL;
  const disableSuccess: string[] = [];
  const disableDenial: string[] = [];
  let keepTtl = false;
  let persistPath: string | undefined;
  for (const o of d.options()) {
    const name = o.directive.name;
    if (name === 'success' || name === 'denial') {
      const [cap = '', ttl, minTtl] = o.expectArgs(1, 3);
      const base = name === 'success' ? success : denial;
      const bounds: TtlBounds = {
        capacity: integer(o, cap, 1, `${name} capacity`),
        maxTtl: ttl === undefined ? base.maxTtl : integer(o, ttl, 1, `${name} TTL`),
        minTtl: minTtl === undefined ? base.minTtl : integer(o, minTtl, 0, `${name} minimum TTL`),
      };
      if (name === 'success') success = bounds;
      else denial = bounds;
    } else if (name === 'prefetch') {
      const [amount = '', duration, percentage] = o.expectArgs(1, 3);
      let pct = prefetch.percentage;
      if (percentage !== undefined) {
        if (!/^\d+%$/.test(percentage))
          throw o.error(
            'ERR_COREFILE_VALUE',
            `prefetch percentage must look like '10%', got '${percentage}'`,
          );
        pct = Number(percentage.slice(0, -1));
        if (pct < 10 || pct > 90)
          throw o.error(
            'ERR_COREFILE_VALUE',
            `prefetch percentage must be between 10% and 90%, got ${pct}%`,
          );
      }
      prefetch = {
        amount: integer(o, amount, 0, 'prefetch amount'),
        durationMs:
          duration === undefined
            ? prefetch.durationMs
            : durationMs(o, duration, 'prefetch duration'),
        percentage: pct,
      };
    } else if (name === 'serve_stale') {
      const [duration, mode] = o.expectArgs(0, 2);
      serveStaleMs =
        duration === undefined
          ? DEFAULT_SERVE_STALE_MS
          : durationMs(o, duration, 'serve_stale duration');
      if (mode !== undefined) {
        const m = mode.toLowerCase();
        if (m !== 'immediate' && m !== 'verify')
          throw o.error(
            'ERR_COREFILE_VALUE',
            `serve_stale mode must be 'immediate' or 'verify', got '${mode}'`,
          );
        staleMode = m;
      }
    } else if (name === 'servfail') {
      const [duration = ''] = o.expectArgs(1);
      const ms = durationMs(o, duration, 'servfail duration');
      if (ms > MAX_SERVFAIL_MS)
        throw o.error(
          'ERR_COREFILE_VALUE',
          `servfail duration must be at most 5m, got '${duration}'`,
        );
      servfailTtl = Math.floor(ms / 1000);
    } else if (name === 'disable') {
      const [kind = '', ...names] = o.expectArgs(1, Number.POSITIVE_INFINITY);
      if (kind !== 'success' && kind !== 'denial')
        throw o.error('ERR_COREFILE_VALUE', `disable takes 'success' or 'denial', got '${kind}'`);
      const list = names.length > 0 ? names.map((z) => normalizeZone(o, z)) : ['.'];
      (kind === 'success' ? disableSuccess : disableDenial).push(...list);
    } else if (name === 'keepttl') {
      o.expectArgs(0);
      keepTtl = true;
    } else if (name === 'persist') {
      [persistPath] = o.expectArgs(1);
    } else {
      throw o.unknownOption();
    }
  }
  return {
    zones,
    success,
    denial,
    prefetch,
    serveStaleMs,
    staleMode,
    servfailTtl,
    disableSuccess,
    disableDenial,
    keepTtl,
    persistPath,
  };
}

function integer(o: DirectiveReader, text: string, min: number, what: string): number {
  if (!/^-?\d+$/.test(text))
    throw o.error('ERR_COREFILE_VALUE', `${what} must be an integer, got '${text}'`);
  const n = Number(text);
  if (n < min) throw o.error('ERR_COREFILE_VALUE', `${what} must be at least ${min}, got ${n}`);
  return n;
}

function durationMs(o: DirectiveReader, text: string, what: string): number {
  let ms: number;
  try {
    ms = parseGoDuration(text);
  } catch (err) {
    throw o.error('ERR_COREFILE_VALUE', `${what}: ${(err as Error).message}`);
  }
  if (ms < 0) throw o.error('ERR_COREFILE_VALUE', `${what} must not be negative, got '${text}'`);
  return ms;
}

function normalizeZone(o: DirectiveReader, zone: string): string {
  try {
    return normalizeName(zone);
  } catch (err) {
    throw o.error('ERR_COREFILE_VALUE', `invalid zone '${zone}': ${(err as Error).message}`);
  }
}
