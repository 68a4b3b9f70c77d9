// The intended differences between node-cache 1.26.0 and nodelocaldns that the differential
// suite may see, by id. docs/differences.md has the same rows (a test checks every id is
// there); a difference not listed here fails the suite.

export interface IntendedDifference {
  /** Comparison keys it may show (compare.ts). */
  keys: readonly string[];
  why: string;
}

export const INTENDED: Readonly<Record<string, IntendedDifference>> = {
  'cache-aa': {
    keys: ['flag.aa'],
    why: 'a cache is not an authority (RFC 1035 §4.1.1): AA is cleared on answers from cache',
  },
  'cache-ra': {
    keys: ['flag.ra'],
    why: 'the agent offers recursion: RA=1 on cached answers, even in front of an authoritative upstream',
  },
  'cache-qclass-key': {
    keys: ['rcode', 'flag.aa', 'flag.ra', 'answer', 'authority'],
    why: 'qclass is part of the cache key: a CH query never gets the cached IN answer',
  },
  'ra-local-error': {
    keys: ['flag.ra'],
    why: 'errors the server makes itself (REFUSED for no zone, SERVFAIL when no plugin answers) carry RA=1',
  },
  'upstream-ede': {
    keys: ['edns.options'],
    why: 'an uncacheable upstream reply goes through the cache as sent, EDE (RFC 8914) included; CoreDNS v1.11.3 cache drops its EDNS options',
  },
  'edns-own-size': {
    keys: ['edns.udp'],
    why: 'replies the agent writes (cache hits, its own errors) advertise its own UDP size, 1232; CoreDNS echoes the client size (0 on BADVERS)',
  },
  'cd-copied': {
    keys: ['flag.cd'],
    why: 'CD is copied from the query into the reply (RFC 4035 §3.2.2); node-cache 1.26.0 answers with CD=0 through its cache',
  },
  'negative-ttl': {
    keys: ['authority.ttl'],
    why: 'negative answers live min(SOA TTL, SOA MINIMUM) as RFC 2308 §5 says; CoreDNS takes the SOA record TTL',
  },
  'cache-ttl-cap': {
    keys: ['answer.ttl'],
    why: 'the configured cache TTL is the cap; CoreDNS never keeps an answer longer than 3600 s',
  },
  'rewrite-question': {
    keys: ['question'],
    why: "the client's question is always restored; CoreDNS v1.11 leaves the rewritten one after continue-only rules",
  },
  'dns64-rewrite-question': {
    keys: ['question', 'answer'],
    why: "with rewrite in the block the client gets its own question and the synthesised AAAA; node-cache's reply carries the rewritten question (clients drop it) and no AAAA",
  },
};
