// hosts' gauges, as CoreDNS's plugin/hosts/metrics.go: entries of every live hosts line (file
// and inline) and the time of the last file read. Rendered at scrape time from the sources of
// the live config.

import type { ExpositionWriter } from '../../metrics/exposition.ts';
import type { HostsSource } from './source.ts';

/** One per App; each config's sources join while it is live. */
export class HostsGauges {
  readonly #sources = new Set<HostsSource>();

  /** Adds a source; the returned function removes it. */
  add(source: HostsSource): () => void {
    this.#sources.add(source);
    return () => this.#sources.delete(source);
  }

  collect(w: ExpositionWriter): void {
    let entries = 0;
    let reloaded = 0;
    for (const s of this.#sources) {
      entries += s.table.entries;
      reloaded = Math.max(reloaded, s.reloadedAt);
    }
    w.family(
      'coredns_hosts_entries',
      'The combined number of entries in hosts and Corefile.',
      'gauge',
      'max', // every worker loads the same files
    );
    w.sample('coredns_hosts_entries', [], entries);
    w.family(
      'coredns_hosts_reload_timestamp_seconds',
      'The timestamp of the last reload of hosts file.',
      'gauge',
      'max',
    );
    w.sample('coredns_hosts_reload_timestamp_seconds', [], reloaded);
  }
}
