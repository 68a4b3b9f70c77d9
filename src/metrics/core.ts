// The App-wide families that belong to no plugin folder: build info, panics, failed reloads
// (the App reloads, on the reload plugin's request or on SIGUSR1), plugin_enabled and
// node-cache's setup errors. Label-less counters are exported at 0 from the start, as CoreDNS's
// default-registry registration makes them.

import { type InterceptionState, SETUP_ERROR_TYPES } from '../node/types.ts';
import type { ExpositionWriter } from './exposition.ts';

export const BUILD_VERSION = '0.1.0';

export interface PluginEnabled {
  readonly server: string;
  readonly zone: string;
  readonly name: string;
}

/** Plain-number state the App updates; read at scrape time. */
export class CoreCounters {
  reloadFailed = 0;
  /** Panics of DnsServers that were retired by a reload. */
  retiredPanics = 0;
  pluginEnabled: readonly PluginEnabled[] = [];
  /** Wall-clock seconds when the running config went live. */
  configLoadedAt = 0;
}

export interface CoreSources {
  /** Panics counted by the DnsServers now serving. */
  livePanics(): number;
  setupErrors(): Readonly<Record<string, number>>;
  /** Set by the node agent; undefined when the app runs alone. */
  interception(): InterceptionState | undefined;
}

export function collectCore(w: ExpositionWriter, c: CoreCounters, src: CoreSources): void {
  w.family(
    'coredns_build_info',
    "A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.",
    'gauge',
  );
  w.sample(
    'coredns_build_info',
    [
      ['goversion', process.version],
      ['revision', ''],
      ['version', BUILD_VERSION],
    ],
    1,
  );
  w.family('coredns_panics_total', 'A metrics that counts the number of panics.', 'counter');
  w.sample('coredns_panics_total', [], c.retiredPanics + src.livePanics());
  w.family(
    'coredns_reload_failed_total',
    'Counter of the number of failed reload attempts.',
    'counter',
  );
  w.sample('coredns_reload_failed_total', [], c.reloadFailed);
  w.family(
    'coredns_plugin_enabled',
    'A metric that indicates whether a plugin is enabled on per server and zone basis.',
    'gauge',
  );
  for (const p of c.pluginEnabled) {
    w.sample(
      'coredns_plugin_enabled',
      [
        ['name', p.name],
        ['server', p.server],
        ['view', ''],
        ['zone', p.zone],
      ],
      1,
    );
  }
  w.family(
    'coredns_nodecache_setup_errors_total',
    'The number of errors during periodic network setup for node-cache',
    'counter',
  );
  const errors = src.setupErrors();
  for (const type of SETUP_ERROR_TYPES) {
    w.sample('coredns_nodecache_setup_errors_total', [['errortype', type]], errors[type] ?? 0);
  }
  w.family(
    'nodelocaldns_config_loaded_timestamp_seconds',
    'When the running Corefile went live (start or reload), in seconds since the epoch.',
    'gauge',
  );
  w.sample('nodelocaldns_config_loaded_timestamp_seconds', [], c.configLoadedAt);
  const interception = src.interception();
  if (interception === undefined) return;
  w.family(
    'nodelocaldns_interception_rules',
    'Packet-filter rules that divert DNS to this agent, installed at the last successful sync.',
    'gauge',
  );
  w.sample(
    'nodelocaldns_interception_rules',
    [['backend', interception.backend]],
    interception.rules,
  );
  w.family(
    'nodelocaldns_interface_addresses',
    'Local IPs found on the agent interface at the last check.',
    'gauge',
  );
  w.sample('nodelocaldns_interface_addresses', [], interception.addresses.length);
}
