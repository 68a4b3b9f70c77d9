// DNS64 (RFC 6147) as CoreDNS's plugin/dns64: an AAAA query of class IN from an IPv6 client (or
// any client with allow_ipv4) goes down the chain; when the reply is not NXDOMAIN and has no
// AAAA record (or always, with translate_all), the same name is asked for A and the reply is
// made from that answer: every A becomes an AAAA with the prefix, TTL min(A TTL, the AAAA reply's
// SOA TTL or 600), other records and the authority and additional sections as they came.

import { performance } from 'node:perf_hooks';
import type { Handler, Outcome, Request, ResponseWriter, Result } from '../../chain/handler.ts';
import { Flag, HEADER_LENGTH, OPCODE_MASK, Rcode, RRType } from '../../dns/constants.ts';
import { type MessageLayout, Section, walkMessage } from '../../dns/message.ts';
import { ScanVerdict, scanQuery } from '../../dns/query.ts';
import { rebuildQuery } from '../../dns/query-rewrite.ts';
import { expandMessage, packMessage } from '../../dns/records.ts';
import { CaptureWriter } from './capture-writer.ts';
import { type Dns64Config, embed } from './setup.ts';

export interface Dns64Events {
  translated(server: string): void;
}

const DEFAULT_SOA_TTL = 600;

export class Dns64Handler implements Handler {
  readonly name = 'dns64';
  readonly #next: Handler;
  readonly #config: Dns64Config;
  readonly #events: Dns64Events;

  constructor(next: Handler, config: Dns64Config, events: Dns64Events) {
    this.#next = next;
    this.#config = config;
    this.#events = events;
  }

  serveDNS(req: Request, w: ResponseWriter): Outcome {
    const q = req.query;
    if (q.qtype !== RRType.AAAA || q.qclass !== 1 || (req.family !== 2 && !this.#config.allowIpv4))
      return this.#next.serveDNS(req, w);
    const first = new CaptureWriter();
    return after(this.#next.serveDNS(req, first), (result) => {
      const reply = first.reply;
      if (reply === undefined) return result;
      let layout: MessageLayout;
      try {
        layout = walkMessage(reply);
      } catch {
        w.write(reply, first.plugin);
        return result;
      }
      if (!this.#wanted(layout)) {
        w.write(reply, first.plugin);
        return result;
      }
      return this.#translate(req, w, layout);
    });
  }

  #wanted(layout: MessageLayout): boolean {
    if (layout.rcode === Rcode.NXDOMAIN) return false;
    if (this.#config.translateAll) return true;
    return !layout.records.some((r) => r.section === Section.ANSWER && r.type === RRType.AAAA);
  }

  #translate(req: Request, w: ResponseWriter, aaaaLayout: MessageLayout): Outcome {
    const q = req.query;
    const aQuery = scanQuery(rebuildQuery(q, { qtype: RRType.A }));
    if (aQuery.verdict !== ScanVerdict.OK) return Rcode.SERVFAIL;
    const second = new CaptureWriter();
    const soaTtl = aaaaLayout.soa?.ttl ?? DEFAULT_SOA_TTL;
    // A new query, sent now: the cache below reads receivedAt as the time of a hit, so the
    // client's arrival (an upstream round trip ago) would make expired entries look fresh.
    const aRequest = { ...req, query: aQuery, receivedAt: performance.now() };
    return after(this.#next.serveDNS(aRequest, second), (result) => {
      const aReply = second.reply;
      if (aReply === undefined) return typeof result === 'number' ? Rcode.SERVFAIL : result;
      const m = expandMessage(aReply);
      for (const r of m.records) {
        if (r.section !== Section.ANSWER || r.type !== RRType.A || r.rdata.length !== 4) continue;
        r.type = RRType.AAAA;
        r.ttl = Math.min(r.ttl, soaTtl);
        r.rdata = embed(this.#config.prefix, this.#config.prefixLength, r.rdata);
      }
      // CoreDNS's SetReply on the client's query, TC from the A reply; RA as the A reply had it.
      m.id = q.id;
      m.flags =
        Flag.QR | (q.flags & (OPCODE_MASK | Flag.RD | Flag.CD)) | (m.flags & (Flag.TC | Flag.RA));
      m.question = {
        name: q.wire.subarray(HEADER_LENGTH, q.qnameEnd),
        type: q.qtype,
        class: q.qclass,
      };
      this.#events.translated(req.server);
      w.write(packMessage(m), this.name);
      return Rcode.NOERROR;
    });
  }
}

/** Runs `then` on an outcome without making a synchronous one asynchronous. */
function after(outcome: Outcome, then: (result: Result) => Outcome): Outcome {
  return outcome instanceof Promise ? outcome.then(then) : then(outcome);
}
