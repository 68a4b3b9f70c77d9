// The rewrite handler (CoreDNS plugin/rewrite/rewrite.go): rules run in order on the query's
// name, type, class and EDNS options; a rule that fires in `stop` mode ends the list. The next
// plugin gets the rewritten query; its reply goes back to the client with the client's own
// question, names reversed by `answer auto` / `answer name` / `answer value`, and TTLs set by
// ttl rules.

import type { Handler, Outcome, Request, ResponseWriter } from '../../chain/handler.ts';
import { PluginError } from '../../chain/handler.ts';
import { TransformWriter } from '../../chain/transform-writer.ts';
import { HEADER_LENGTH, Rcode } from '../../dns/constants.ts';
import { nameToWire, readName } from '../../dns/name.ts';
import { ScanVerdict, scanQuery } from '../../dns/query.ts';
import { type EdnsOption, readEdnsOptions, rebuildQuery } from '../../dns/query-rewrite.ts';
import { applyEdnsRule } from './edns0.ts';
import { type ReplyRules, revertReply } from './reply.ts';
import { nameMatches, rewriteName } from './rules.ts';
import type { RewriteConfig } from './setup.ts';

export class RewriteHandler implements Handler {
  readonly name = 'rewrite';
  readonly #next: Handler;
  readonly #config: RewriteConfig;

  constructor(next: Handler, config: RewriteConfig) {
    this.#next = next;
    this.#config = config;
  }

  serveDNS(req: Request, w: ResponseWriter): Outcome {
    const q = req.query;
    const original = readName(q.wire, HEADER_LENGTH).toLowerCase();
    let name = original;
    let qtype = q.qtype;
    let qclass = q.qclass;
    let options: EdnsOption[] | undefined;
    const reply: ReplyRules = { answer: [], reversals: [], ttl: undefined };
    let changed = false;
    for (const rule of this.#config.rules) {
      let fired = false;
      if (rule.field === 'name') {
        const rewritten = rewriteName(rule.match, rule.to, name);
        if (rewritten !== undefined) {
          if (rule.auto) reply.reversals.push({ rule, original: name, rewritten });
          reply.answer.push(...rule.answer);
          name = rewritten;
          fired = true;
        }
      } else if (rule.field === 'type' || rule.field === 'class') {
        const current = rule.field === 'type' ? qtype : qclass;
        if (current === rule.from) {
          if (rule.field === 'type') qtype = rule.to;
          else qclass = rule.to;
          fired = true;
        }
      } else if (rule.field === 'ttl') {
        if (nameMatches(rule.match, name)) {
          reply.ttl = [rule.min, rule.max];
          fired = true;
        }
      } else if (rule.field === 'edns0') {
        const next = applyEdnsRule(options ?? readEdnsOptions(q), rule.action, rule.edns, req);
        if (next !== undefined) {
          options = next;
          fired = true;
        }
      }
      if (fired) {
        changed = true;
        if (rule.mode === 'stop') break;
      }
    }
    if (!changed) return this.#next.serveDNS(req, w);
    let qname: Uint8Array | undefined;
    if (name !== original) {
      try {
        qname = nameToWire(name);
      } catch {
        throw new PluginError('rewrite', Rcode.SERVFAIL, `invalid name after rewrite: ${name}`);
      }
    }
    const changes = {
      ...(qname === undefined ? {} : { qname }),
      qtype,
      qclass,
      ...(options === undefined ? {} : { options }),
    };
    const rewritten = scanQuery(rebuildQuery(q, changes));
    if (rewritten.verdict !== ScanVerdict.OK)
      throw new PluginError(
        'rewrite',
        Rcode.SERVFAIL,
        `rewritten query is invalid: ${rewritten.reason}`,
      );
    const writer = new TransformWriter(w, (wire) => revertReply(wire, q, reply));
    return this.#next.serveDNS({ ...req, query: rewritten }, writer);
  }
}
