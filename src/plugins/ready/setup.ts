import type { DirectiveReader } from '../../corefile/model.ts';
import type { HttpAddress } from '../../http/address.ts';
import { httpAddressArg } from '../../http/address-arg.ts';
import type { Monitor } from './readiness.ts';

export interface ReadyConfig {
  readonly address: HttpAddress;
  readonly monitor: Monitor;
}

/** `ready [ADDRESS] { monitor until-ready|continuously }` */
export function parseReady(d: DirectiveReader): ReadyConfig {
  const [address = ':8181'] = d.expectArgs(0, 1);
  let monitor: Monitor = 'until-ready';
  for (const o of d.options()) {
    if (o.directive.name !== 'monitor') throw o.unknownOption();
    const [value = ''] = o.expectArgs(1);
    if (value !== 'until-ready' && value !== 'continuously')
      throw o.error(
        'ERR_COREFILE_VALUE',
        `monitor must be 'until-ready' or 'continuously', got '${value}'`,
      );
    monitor = value;
  }
  return { address: httpAddressArg(d, address), monitor };
}
