import type { PluginDefinition } from '../../chain/definition.ts';
import { TemplateCounters } from './metrics.ts';
import { mergeTemplates, parseTemplate, type TemplateConfig } from './setup.ts';
import { TemplateHandler } from './template.ts';

export const template: PluginDefinition<TemplateConfig, TemplateCounters> = {
  name: 'template',
  repeatable: true,
  init(app) {
    // App-lifetime, so the counters never go backwards across reloads.
    const counters = new TemplateCounters();
    app.addCollector(counters);
    return counters;
  },
  parse: (d, block) => parseTemplate(d, block),
  merge: mergeTemplates,
  setup: (config, ctx) => (next) => new TemplateHandler(next, config, ctx.state),
};
