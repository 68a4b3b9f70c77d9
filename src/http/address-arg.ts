// An HTTP listen address as a directive argument (prometheus, health, ready, and any plugin that
// serves HTTP): validated while parsing, so a bad one fails with file:line.

import type { DirectiveReader } from '../corefile/model.ts';
import { type HttpAddress, parseHttpAddress } from './address.ts';

/** Parses an HTTP listen address argument, or throws a located Corefile error. */
export function httpAddressArg(d: DirectiveReader, text: string): HttpAddress {
  const parsed = parseHttpAddress(text);
  if (typeof parsed === 'string') throw d.error('ERR_COREFILE_VALUE', parsed);
  return parsed;
}
