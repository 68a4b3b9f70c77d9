// DNS protocol numbers as `as const` objects plus union types (no TS enums: erasable syntax only).

export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  /** Extended rcode 16 (needs OPT): the client's EDNS version is not supported. */
  BADVERS: 16,
} as const;
export type Rcode = (typeof Rcode)[keyof typeof Rcode];

const RCODE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(Rcode).map(([name, code]) => [code, name]),
);

/** Rcode name as CoreDNS prints it (`RCODE<n>` when unknown). */
export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

/** Parses an rcode name, case-insensitively; undefined when unknown. */
export function parseRcodeName(name: string): number | undefined {
  const upper = name.toUpperCase();
  for (const [n, code] of Object.entries(Rcode)) if (n === upper) return code;
  return undefined;
}

export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  NAPTR: 35,
  DS: 43,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  NSEC3: 50,
  SVCB: 64,
  HTTPS: 65,
  OPT: 41,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
} as const;

const TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(RRType).map(([name, code]) => [code, name]),
);

/** Type mnemonic, or RFC 3597 `TYPE<n>`. */
export function typeName(type: number): string {
  return TYPE_NAMES[type] ?? `TYPE${type}`;
}

/** Parses a type mnemonic or `TYPE<n>`; undefined when unknown. */
export function parseTypeName(name: string): number | undefined {
  const upper = name.toUpperCase();
  const known = (RRType as Record<string, number>)[upper];
  if (known !== undefined) return known;
  const m = /^TYPE(\d{1,5})$/.exec(upper);
  return m?.[1] !== undefined && Number(m[1]) < 65536 ? Number(m[1]) : undefined;
}

export const RRClass = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

const CLASS_NAMES: Record<number, string> = { 1: 'IN', 3: 'CH', 4: 'HS', 254: 'NONE', 255: 'ANY' };

export function className(qclass: number): string {
  return CLASS_NAMES[qclass] ?? `CLASS${qclass}`;
}

/** Header flag masks on the 16-bit flags word (bytes 2-3). */
export const Flag = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  Z: 0x0040,
  AD: 0x0020,
  CD: 0x0010,
} as const;

export const OPCODE_SHIFT = 11;
export const OPCODE_MASK = 0x7800;
export const RCODE_MASK = 0x000f;

/** The DO bit inside the OPT record's TTL field (low 16 bits = EDNS flags). */
export const EDNS_DO = 0x8000;

export const HEADER_LENGTH = 12;
/** Largest DNS message: TCP's two-byte length prefix caps it. */
export const MAX_MESSAGE_LENGTH = 65535;
/** Client buffer size for UDP without EDNS (RFC 1035). */
export const MIN_UDP_PAYLOAD = 512;
/** Largest name in wire form, root label included (RFC 1035 3.1). */
export const MAX_NAME_LENGTH = 255;
export const MAX_LABEL_LENGTH = 63;
