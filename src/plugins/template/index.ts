import type { PluginDefinition } from '../../chain/definition.ts';
import { TemplateCounters } from './metrics.ts';
import { mergeTemplates, parseTemplate, type TemplateConfig } from './setup.ts';
import { TemplateHandler } from './template.ts';

export const template: PluginDefinition<TemplateConfig> = {
  name: 'template',
  repeatable: true,
  parse: (d, block) => parseTemplate(d, block),
  merge: mergeTemplates,
  setup(config) {
    const counters = new TemplateCounters();
    return (next) => new TemplateHandler(next, config, counters);
  },
};
