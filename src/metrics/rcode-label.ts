// The `rcode` label value CoreDNS's metrics use, shared by every collector that has one.

/** miekg/dns RcodeToString, which CoreDNS's rcode label uses (16 prints as BADSIG there). */
const RCODE_LABELS: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  6: 'YXDOMAIN',
  7: 'YXRRSET',
  8: 'NXRRSET',
  9: 'NOTAUTH',
  10: 'NOTZONE',
  16: 'BADSIG',
  17: 'BADKEY',
  18: 'BADTIME',
  19: 'BADMODE',
  20: 'BADNAME',
  21: 'BADALG',
  22: 'BADTRUNC',
  23: 'BADCOOKIE',
};

export function rcodeLabel(rcode: number): string {
  return RCODE_LABELS[rcode] ?? `RCODE${rcode}`;
}
