// Answers A, AAAA and PTR from the hosts entries, as CoreDNS's plugin/hosts/hosts.go:
// - a name outside the plugin's zones goes to the next plugin (PTR queries are looked up
//   whatever their zone, and go on when no entry has that address);
// - a name with entries gets an authoritative answer, empty (NODATA) for a type it has none of;
// - an unknown name falls through when `fallthrough` covers it, else SERVFAIL: the hosts file
//   has no SOA to make an NXDOMAIN with.

import type { Handler, Outcome, Request, ResponseWriter } from '../../chain/handler.ts';
import { addressFromReverse, formatIP } from '../../dns/address.ts';
import { HEADER_LENGTH, Rcode, RRClass, RRType } from '../../dns/constants.ts';
import { nameToWire, readName } from '../../dns/name.ts';
import type { WireRecord } from '../../dns/record-text.ts';
import { buildReply } from '../../dns/reply.ts';
import { fallsThrough, matchZone } from '../../dns/zone-match.ts';
import type { HostsConfig } from './setup.ts';
import type { HostsSource } from './source.ts';

export class HostsHandler implements Handler {
  readonly name = 'hosts';
  readonly #next: Handler;
  readonly #config: HostsConfig;
  readonly #source: HostsSource;

  constructor(next: Handler, config: HostsConfig, source: HostsSource) {
    this.#next = next;
    this.#config = config;
    this.#source = source;
  }

  serveDNS(req: Request, w: ResponseWriter): Outcome {
    const q = req.query;
    const qname = readName(q.wire, HEADER_LENGTH).toLowerCase();
    const inZone = matchZone(qname, this.#config.zones) !== undefined;
    if (!inZone && q.qtype !== RRType.PTR) return this.#next.serveDNS(req, w);
    const table = this.#source.table;
    const ttl = this.#config.ttl;
    // CoreDNS answers with the lower-cased name (the question keeps the client's case).
    const owner = nameToWire(qname);
    let answer: WireRecord[] = [];
    if (q.qtype === RRType.PTR) {
      const address = addressFromReverse(qname);
      const names = address === undefined ? undefined : table.byAddress.get(formatIP(address));
      if (names === undefined || names.length === 0) return this.#next.serveDNS(req, w);
      answer = names.map((n) => record(owner, RRType.PTR, ttl, nameToWire(n)));
    } else if (q.qtype === RRType.A) {
      answer = (table.v4.get(qname) ?? []).map((ip) => record(owner, RRType.A, ttl, ip));
    } else if (q.qtype === RRType.AAAA) {
      answer = (table.v6.get(qname) ?? []).map((ip) => record(owner, RRType.AAAA, ttl, ip));
    }
    if (answer.length === 0 && !table.has(qname)) {
      if (fallsThrough(qname, this.#config.fallthrough)) return this.#next.serveDNS(req, w);
      return Rcode.SERVFAIL;
    }
    w.write(buildReply(q, { rcode: Rcode.NOERROR, authoritative: true, answer }), this.name);
    return Rcode.NOERROR;
  }
}

function record(owner: Uint8Array, type: number, ttl: number, rdata: Uint8Array): WireRecord {
  return { name: owner, type, class: RRClass.IN, ttl, rdata };
}
