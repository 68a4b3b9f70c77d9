import type { DirectiveReader } from '../../corefile/model.ts';
import { type HttpAddress, parseHttpAddress } from '../../http/address.ts';

export const DEFAULT_PROMETHEUS_ADDRESS = 'localhost:9153';

/** Parses an HTTP listen address argument, or throws a located Corefile error. */
export function httpAddressArg(d: DirectiveReader, text: string): HttpAddress {
  const parsed = parseHttpAddress(text);
  if (typeof parsed === 'string') throw d.error('ERR_COREFILE_VALUE', parsed);
  return parsed;
}

/** `prometheus [ADDRESS]` */
export function parsePrometheus(d: DirectiveReader): HttpAddress {
  const [address = DEFAULT_PROMETHEUS_ADDRESS] = d.expectArgs(0, 1);
  d.expectNoBlock();
  return httpAddressArg(d, address);
}
