import type { DirectiveReader } from '../../corefile/model.ts';
import type { HttpAddress } from '../../http/address.ts';
import { httpAddressArg } from '../../http/address-arg.ts';
import { parseTimerDuration } from '../../util/duration.ts';

export interface HealthConfig {
  readonly address: HttpAddress;
  /** Wait on final shutdown before the listeners close; 0 for none. */
  readonly lameduckMs: number;
}

/** `health [ADDRESS] { lameduck DURATION }` */
export function parseHealth(d: DirectiveReader): HealthConfig {
  const [address = ':8080'] = d.expectArgs(0, 1);
  let lameduckMs = 0;
  for (const o of d.options()) {
    if (o.directive.name !== 'lameduck') throw o.unknownOption();
    const [text = ''] = o.expectArgs(1);
    try {
      lameduckMs = parseTimerDuration(text);
    } catch (err) {
      throw o.error('ERR_COREFILE_VALUE', (err as Error).message);
    }
    if (lameduckMs < 0)
      throw o.error('ERR_COREFILE_VALUE', `lameduck must not be negative: '${text}'`);
  }
  return { address: httpAddressArg(d, address), lameduckMs };
}
