// Query the agent under test on 127.0.0.1 and decode the reply (shared by the plugin suites).

import { type QuerySpec, query } from '../helpers/client.ts';
import { type InspectedMessage, inspect } from '../helpers/inspect.ts';

export async function ask(
  port: number,
  name: string,
  type: string | number = 'A',
  extra: QuerySpec & { proto?: 'udp' | 'tcp' } = {},
): Promise<InspectedMessage> {
  const { proto = 'udp', ...spec } = extra;
  return inspect(await query({ host: '127.0.0.1', port, proto, name, type, ...spec }));
}

/** The rdata of the answer section, in order. */
export function answers(m: InspectedMessage): string[] {
  return m.answer.map((r) => r.data);
}
