// dns64's counter, as CoreDNS's plugin/dns64/metrics.go, for the App's lifetime.

import type { ExpositionWriter } from '../../metrics/exposition.ts';
import type { Dns64Events } from './dns64.ts';

const NAME = 'coredns_dns64_requests_translated_total';

export class Dns64Counters implements Dns64Events {
  readonly #byServer = new Map<string, number>();

  translated(server: string): void {
    this.#byServer.set(server, (this.#byServer.get(server) ?? 0) + 1);
  }

  collect(w: ExpositionWriter): void {
    if (this.#byServer.size === 0) return; // as a Go CounterVec without series
    w.family(NAME, 'Counter of DNS64 requests translated.', 'counter');
    for (const [server, n] of this.#byServer) w.sample(NAME, [['server', server]], n);
  }
}
