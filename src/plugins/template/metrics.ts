// template's counters, as CoreDNS's plugin/template/metrics.go: matches, Go-template failures
// and records that did not parse. Plain counts keyed by their labels, rendered at scrape time;
// they live as long as the App, so a reload does not reset them.

import type { ExpositionWriter, Labels } from '../../metrics/exposition.ts';
import type { CompiledTemplate, TemplateData } from './go-template.ts';
import type { Section } from './setup.ts';
import type { TemplateEvents } from './template.ts';

const FAMILIES = {
  matches: ['coredns_template_matches_total', 'Counter of template regex matches.'],
  template: ['coredns_template_template_failures_total', 'Counter of go template failures.'],
  rr: ['coredns_template_rr_failures_total', 'Counter of mis-templated RRs.'],
} as const;

type Kind = keyof typeof FAMILIES;

export class TemplateCounters implements TemplateEvents {
  readonly #counts: Record<Kind, Map<string, { labels: Labels; value: number }>> = {
    matches: new Map(),
    template: new Map(),
    rr: new Map(),
  };

  matched(server: string, data: TemplateData): void {
    this.#add('matches', [
      ['server', server],
      ['zone', data.zone],
      ['view', ''],
      ['class', data.class],
      ['type', data.type],
    ]);
  }

  failed(
    kind: 'template' | 'rr',
    server: string,
    data: TemplateData,
    section: Section,
    template: CompiledTemplate,
  ): void {
    this.#add(kind, [
      ['server', server],
      ['zone', data.zone],
      ['view', ''],
      ['class', data.class],
      ['type', data.type],
      ['section', section],
      ['template', template.canonical],
    ]);
  }

  #add(kind: Kind, labels: Labels): void {
    const key = labels.map(([, v]) => v).join('\x00');
    const entry = this.#counts[kind].get(key);
    if (entry === undefined) this.#counts[kind].set(key, { labels, value: 1 });
    else entry.value++;
  }

  collect(w: ExpositionWriter): void {
    for (const kind of Object.keys(FAMILIES) as Kind[]) {
      // As Go's CounterVec: a family without any series is not printed.
      if (this.#counts[kind].size === 0) continue;
      const [name, help] = FAMILIES[kind];
      w.family(name, help, 'counter');
      for (const { labels, value } of this.#counts[kind].values()) w.sample(name, labels, value);
    }
  }
}
