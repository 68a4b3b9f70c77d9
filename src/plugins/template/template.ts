// Answers from templates, as CoreDNS's plugin/template/template.go:
// - a name outside every template's zones goes to the next plugin;
// - templates are tried in order; one whose zone, class or type does not fit is skipped; one
//   that fits but whose regexes all miss stops the search (SERVFAIL to the client, as the real
//   node-cache answers) unless its `fallthrough` covers the name;
// - the first match writes an authoritative reply with its rcode and rendered sections, or, for
//   `rcode SERVFAIL`, returns SERVFAIL without writing. A template that fails to render or does
//   not give a valid record is a SERVFAIL too.
// When no template matched, the query goes to the next plugin.

import type { Handler, Outcome, Request, ResponseWriter } from '../../chain/handler.ts';
import { PluginError } from '../../chain/handler.ts';
import { className, HEADER_LENGTH, Rcode, RRClass, RRType, typeName } from '../../dns/constants.ts';
import { readName } from '../../dns/name.ts';
import { parseRecordText, type WireRecord } from '../../dns/record-text.ts';
import { buildReply } from '../../dns/reply.ts';
import { fallsThrough, matchZone } from '../../dns/zone-match.ts';
import type { CompiledTemplate, TemplateData } from './go-template.ts';
import type { Section, TemplateConfig, TemplateRule } from './setup.ts';

/** What the metrics count; the handler calls these, index.ts decides where they go. */
export interface TemplateEvents {
  matched(server: string, data: TemplateData): void;
  failed(
    kind: 'template' | 'rr',
    server: string,
    data: TemplateData,
    section: Section,
    template: CompiledTemplate,
  ): void;
}

export class TemplateHandler implements Handler {
  readonly name = 'template';
  readonly #next: Handler;
  readonly #rules: readonly TemplateRule[];
  readonly #zones: readonly string[];
  readonly #events: TemplateEvents;

  constructor(next: Handler, config: TemplateConfig, events: TemplateEvents) {
    this.#next = next;
    this.#rules = config.rules;
    this.#zones = [...new Set(config.rules.flatMap((r) => r.zones))];
    this.#events = events;
  }

  serveDNS(req: Request, w: ResponseWriter): Outcome {
    const q = req.query;
    const qname = readName(q.wire, HEADER_LENGTH).toLowerCase();
    if (matchZone(qname, this.#zones) === undefined) return this.#next.serveDNS(req, w);
    for (const rule of this.#rules) {
      const zone = matchZone(qname, rule.zones);
      if (zone === undefined) continue;
      if (rule.qclass !== RRClass.ANY && q.qclass !== RRClass.ANY && q.qclass !== rule.qclass)
        continue;
      if (rule.qtype !== RRType.ANY && q.qtype !== RRType.ANY && q.qtype !== rule.qtype) continue;
      const data = matchRule(rule, zone, qname, q.qtype, q.qclass, q.id);
      if (data === undefined) {
        if (fallsThrough(qname, rule.fallthrough)) continue;
        return Rcode.SERVFAIL;
      }
      this.#events.matched(req.server, data);
      if (rule.rcode === Rcode.SERVFAIL) return Rcode.SERVFAIL;
      const answer = this.#render(req, rule, 'answer', data);
      const additional = this.#render(req, rule, 'additional', data);
      const authority = this.#render(req, rule, 'authority', data);
      w.write(
        buildReply(q, { rcode: rule.rcode, authoritative: true, answer, authority, additional }),
        this.name,
      );
      return rule.rcode;
    }
    return this.#next.serveDNS(req, w);
  }

  #render(req: Request, rule: TemplateRule, section: Section, data: TemplateData): WireRecord[] {
    return rule[section].map((template: CompiledTemplate) => {
      let text: string;
      try {
        text = template.render(data);
      } catch (err) {
        this.#events.failed('template', req.server, data, section, template);
        throw new PluginError('template', Rcode.SERVFAIL, (err as Error).message);
      }
      try {
        return parseRecordText(text);
      } catch (err) {
        this.#events.failed('rr', req.server, data, section, template);
        throw new PluginError('template', Rcode.SERVFAIL, (err as Error).message);
      }
    });
  }
}

function matchRule(
  rule: TemplateRule,
  zone: string,
  qname: string,
  qtype: number,
  qclass: number,
  id: number,
): TemplateData | undefined {
  for (const regex of rule.regex) {
    const m = regex.exec(qname);
    if (m === null) continue;
    const match = Array.from(m, (s) => s ?? '');
    const group = new Map<string, string>(match.map((s, i) => [String(i), s]));
    for (const [name, value] of Object.entries(m.groups ?? {})) group.set(name, value ?? '');
    return {
      name: qname,
      zone,
      regex: regex.source,
      match,
      group,
      class: className(qclass !== RRClass.ANY ? qclass : rule.qclass),
      type: typeName(qtype !== RRType.ANY ? qtype : rule.qtype),
      qtype,
      qclass,
      id,
    };
  }
  return undefined;
}
