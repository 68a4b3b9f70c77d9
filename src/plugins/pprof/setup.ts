// `pprof [ADDRESS] { block [RATE]; allow_remote }` → PprofConfig (CoreDNS plugin/pprof/setup.go).
// The listener is loopback-only unless `allow_remote` says otherwise: a heap snapshot holds
// query names and client addresses.

import type { DirectiveReader } from '../../corefile/model.ts';
import type { HttpAddress } from '../../http/address.ts';
import { httpAddressArg } from '../../http/address-arg.ts';

export const DEFAULT_PPROF_ADDRESS = 'localhost:6053';

export interface PprofConfig {
  readonly address: HttpAddress;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function parsePprof(d: DirectiveReader): PprofConfig {
  const [text = DEFAULT_PPROF_ADDRESS] = d.expectArgs(0, 1);
  const address = httpAddressArg(d, text);
  let allowRemote = false;
  for (const o of d.options()) {
    o.expectNoBlock();
    switch (o.directive.name) {
      case 'block': {
        // Go's blocking profile has no Node counterpart: accepted so Corefiles load, no effect.
        const [rate] = o.expectArgs(0, 1);
        if (rate !== undefined && !/^\d+$/.test(rate))
          throw o.error('ERR_COREFILE_VALUE', `block: invalid rate '${rate}'`);
        break;
      }
      case 'allow_remote':
        o.expectArgs(0);
        allowRemote = true;
        break;
      default:
        throw o.unknownOption();
    }
  }
  if (!allowRemote && !isLoopback(address.host))
    throw d.error(
      'ERR_COREFILE_VALUE',
      `'${text}' is not a loopback address: profiles and heap snapshots hold query data; add 'allow_remote' to serve them there`,
    );
  return { address };
}
