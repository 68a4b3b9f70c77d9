// forward's metrics: its plain counters (src/upstream/stats.ts, ForwardStats) rendered at scrape
// time as coredns_proxy_* and the coredns_forward_* that remain in CoreDNS v1.13, by
// src/metrics/forward.ts.

import type { PluginServices } from '../../lifecycle/services.ts';
import { forwardHandlerSource } from '../../metrics/forward.ts';
import type { ForwardHandler } from './forward.ts';

export function registerForwardMetrics(handler: ForwardHandler, services: PluginServices): void {
  services.addForwardMetrics(forwardHandlerSource(handler));
}
