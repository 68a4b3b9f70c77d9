import type { PluginDefinition } from '../../chain/definition.ts';
import { TransformWriter } from '../../chain/transform-writer.ts';
import { roundRobin } from './round-robin.ts';
import { type LoadbalanceConfig, parseLoadbalance } from './setup.ts';

export const loadbalance: PluginDefinition<LoadbalanceConfig> = {
  name: 'loadbalance',
  parse: (d) => parseLoadbalance(d),
  setup: () => (next) => ({
    name: 'loadbalance',
    serveDNS: (req, w) => next.serveDNS(req, new TransformWriter(w, (wire) => roundRobin(wire))),
  }),
};
