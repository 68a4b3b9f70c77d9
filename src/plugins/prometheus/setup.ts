import type { DirectiveReader } from '../../corefile/model.ts';
import type { HttpAddress } from '../../http/address.ts';
import { httpAddressArg } from '../../http/address-arg.ts';

export const DEFAULT_PROMETHEUS_ADDRESS = 'localhost:9153';

export interface PrometheusConfig {
  /** Where /metrics is served. */
  readonly address: HttpAddress;
  /**
   * Where the status page and /debug/top (which show query names and client IPs) are served:
   * ADDRESS when undefined (CoreDNS-like, one listener), nowhere when 'off', else this address,
   * which then serves /metrics too (e.g. loopback for `kubectl port-forward`).
   */
  readonly status: HttpAddress | 'off' | undefined;
}

/** `prometheus [ADDRESS] { status ADDRESS|off }` */
export function parsePrometheus(d: DirectiveReader): PrometheusConfig {
  const [address = DEFAULT_PROMETHEUS_ADDRESS] = d.expectArgs(0, 1);
  let status: PrometheusConfig['status'];
  for (const o of d.options()) {
    if (o.directive.name !== 'status') throw o.unknownOption();
    const [text = ''] = o.expectArgs(1);
    status = text === 'off' ? 'off' : httpAddressArg(o, text);
  }
  return { address: httpAddressArg(d, address), status };
}
