// `dnstap SOCKET|unix://SOCKET|tcp://HOST:PORT [full] { identity NAME; version TEXT; skipverify }`
// → DnstapConfig (CoreDNS plugin/dnstap/setup.go). Errors carry file:line.

import { hostname } from 'node:os';
import type { DirectiveReader } from '../../corefile/model.ts';
import type { Endpoint } from './framestream.ts';

export interface DnstapConfig {
  readonly endpoint: Endpoint;
  /** `full`: the wire messages go into the dnstap messages too. */
  readonly full: boolean;
  readonly identity: string;
  readonly version: string;
}

export const DEFAULT_VERSION = 'nodelocaldns';

export function parseDnstap(d: DirectiveReader): DnstapConfig {
  const args = d.expectArgs(1, 2);
  const endpoint = parseEndpoint(d, args[0] as string);
  if (args[1] !== undefined && args[1] !== 'full')
    throw d.error('ERR_COREFILE_VALUE', `second argument must be 'full', not '${args[1]}'`);
  let identity = hostname();
  let version = DEFAULT_VERSION;
  for (const o of d.options()) {
    o.expectNoBlock();
    switch (o.directive.name) {
      case 'identity':
        identity = o.expectArgs(1)[0] as string;
        break;
      case 'version':
        version = o.expectArgs(1)[0] as string;
        break;
      case 'skipverify':
        // Only meaningful for tls:// endpoints, which are refused above.
        o.expectArgs(0);
        break;
      default:
        throw o.unknownOption();
    }
  }
  return { endpoint, full: args[1] === 'full', identity, version };
}

function parseEndpoint(d: DirectiveReader, text: string): Endpoint {
  if (text.startsWith('tls://'))
    throw d.error('ERR_COREFILE_VALUE', `tls:// endpoints are not supported: '${text}'`);
  if (text.startsWith('tcp://')) {
    const m = /^tcp:\/\/(?:\[([0-9a-fA-F:.]+)\]|([^:/[\]]+)):(\d{1,5})$/.exec(text);
    const port = Number(m?.[3]);
    const host = m?.[1] ?? m?.[2];
    if (m === null || host === undefined || port < 1 || port > 65535)
      throw d.error('ERR_COREFILE_VALUE', `invalid tcp endpoint '${text}': want tcp://HOST:PORT`);
    return { kind: 'tcp', host, port };
  }
  const path = text.startsWith('unix://') ? text.slice('unix://'.length) : text;
  if (path === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(path))
    throw d.error('ERR_COREFILE_VALUE', `invalid dnstap endpoint '${text}'`);
  return { kind: 'unix', path };
}
