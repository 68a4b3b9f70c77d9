// What kind of answer came back, whether it may be cached, and for how long; after CoreDNS's
// response.Typify and cache TTL rules, with RFC 2308 negative TTLs.

import { Flag, OPCODE_MASK, OPCODE_SHIFT, Opcode, Rcode, RRType } from '../../dns/constants.ts';
import type { MessageLayout } from '../../dns/message.ts';
import { isSubdomain, readName } from '../../dns/name.ts';
import { EntryKind } from './entry.ts';
import type { CacheConfig } from './setup.ts';

export const ResponseType = {
  NO_ERROR: 'noerror',
  DELEGATION: 'delegation',
  NAME_ERROR: 'nxdomain',
  NO_DATA: 'nodata',
  SERVER_ERROR: 'servfail',
  OTHER: 'other',
} as const;
export type ResponseType = (typeof ResponseType)[keyof typeof ResponseType];

export function typify(layout: MessageLayout): ResponseType {
  const opcode = (layout.flags & OPCODE_MASK) >> OPCODE_SHIFT;
  if (opcode !== Opcode.QUERY || layout.qtype === RRType.AXFR || layout.qtype === RRType.IXFR)
    return ResponseType.OTHER;
  const rcode = layout.extendedRcode;
  if (rcode === Rcode.NOERROR && layout.ancount > 0) return ResponseType.NO_ERROR;
  if (layout.soa !== undefined && rcode === Rcode.NOERROR) return ResponseType.NO_DATA;
  if (layout.soa !== undefined && rcode === Rcode.NXDOMAIN) return ResponseType.NAME_ERROR;
  if (rcode === Rcode.SERVFAIL || rcode === Rcode.NOTIMP) return ResponseType.SERVER_ERROR;
  if (rcode === Rcode.NOERROR && layout.hasAuthorityNs) return ResponseType.DELEGATION;
  if (rcode === Rcode.NOERROR) return ResponseType.NO_ERROR;
  return ResponseType.OTHER;
}

/** The TTL a message carries when it has no records at all (CoreDNS uses the same 5 s). */
const EMPTY_MESSAGE_TTL = 5;

export interface CachePlan {
  readonly kind: EntryKind;
  /** Seconds; 0 means do not cache. */
  readonly ttl: number;
}

/**
 * Kind and duration for a response, or undefined when it must not be cached (TC set, REFUSED
 * and friends, a disabled zone). The negative TTL is min(SOA TTL, SOA MINIMUM) and no more
 * than any other record's TTL (RFC 2308 5); CoreDNS reads only the SOA record's own TTL.
 */
export function planEntry(
  layout: MessageLayout,
  type: ResponseType,
  config: CacheConfig,
  disabled: { success: boolean; denial: boolean },
): CachePlan | undefined {
  if ((layout.flags & Flag.TC) !== 0) return undefined;
  const messageTtl = layout.minTtl ?? EMPTY_MESSAGE_TTL;
  switch (type) {
    case ResponseType.NO_ERROR:
    case ResponseType.DELEGATION: {
      if (disabled.success) return undefined;
      return sized(
        EntryKind.POSITIVE,
        clamp(messageTtl, config.success.minTtl, config.success.maxTtl),
      );
    }
    case ResponseType.NAME_ERROR:
    case ResponseType.NO_DATA: {
      if (disabled.denial) return undefined;
      const negative = Math.min(messageTtl, layout.soa?.minimum ?? messageTtl);
      return sized(EntryKind.NEGATIVE, clamp(negative, config.denial.minTtl, config.denial.maxTtl));
    }
    case ResponseType.SERVER_ERROR:
      if (disabled.denial) return undefined;
      return sized(EntryKind.SERVFAIL, config.servfailTtl);
    case ResponseType.OTHER:
      return undefined;
  }
}

function sized(kind: EntryKind, ttl: number): CachePlan | undefined {
  return ttl > 0 ? { kind, ttl } : undefined;
}

/** CoreDNS's order: raise to the minimum, then cap at the maximum (so the maximum wins). */
export function clamp(ttl: number, min: number, max: number): number {
  return Math.min(Math.max(ttl, min), max);
}

const NOTHING_DISABLED = { success: false, denial: false } as const;

/** Whether `disable success|denial` zones cover the query's name, for the answer's type. */
export function disabledFor(
  config: Pick<CacheConfig, 'disableSuccess' | 'disableDenial'>,
  query: Buffer,
  type: ResponseType,
): { success: boolean; denial: boolean } {
  const { disableSuccess, disableDenial } = config;
  if (disableSuccess.length === 0 && disableDenial.length === 0) return NOTHING_DISABLED;
  const name = readName(query, 12).toLowerCase();
  const positive = type === ResponseType.NO_ERROR || type === ResponseType.DELEGATION;
  return {
    success: positive && disableSuccess.some((z) => isSubdomain(name, z)),
    denial: !positive && disableDenial.some((z) => isSubdomain(name, z)),
  };
}
