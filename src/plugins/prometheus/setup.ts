import type { DirectiveReader } from '../../corefile/model.ts';
import type { HttpAddress } from '../../http/address.ts';
import { httpAddressArg } from '../../http/address-arg.ts';

export const DEFAULT_PROMETHEUS_ADDRESS = 'localhost:9153';

/** `prometheus [ADDRESS]` */
export function parsePrometheus(d: DirectiveReader): HttpAddress {
  const [address = DEFAULT_PROMETHEUS_ADDRESS] = d.expectArgs(0, 1);
  d.expectNoBlock();
  return httpAddressArg(d, address);
}
