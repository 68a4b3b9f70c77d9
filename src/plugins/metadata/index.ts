// `metadata` is accepted and does nothing: in CoreDNS it collects values that other plugins
// (kubernetes, geoip, ...) produce for later ones (log's {/label}, template's .Meta). No plugin
// here produces metadata, so there is nothing to collect; see README.md.

import type { PluginDefinition } from '../../chain/definition.ts';
import { type MetadataConfig, parseMetadata } from './setup.ts';

export const metadata: PluginDefinition<MetadataConfig> = {
  name: 'metadata',
  parse: (d, block) => parseMetadata(d, block),
  setup: () => undefined,
};
