import type { DirectiveReader } from '../../corefile/model.ts';
import { normalizeName } from '../../dns/name.ts';

export const COMMON_FORMAT =
  '{remote}:{port} - {>id} "{type} {class} {name} {proto} {size} {>do} {>bufsize}" {rcode} {>rflags} {rsize} {duration}';
export const COMBINED_FORMAT = `${COMMON_FORMAT} "{>opcode}"`;

export type LogClass = 'success' | 'denial' | 'error';

export interface LogRule {
  readonly names: readonly string[];
  readonly format: string;
  readonly classes: ReadonlySet<LogClass>;
}

/** `log [NAMES...] [FORMAT] { class success|denial|error|all ... }` */
export function parseLog(d: DirectiveReader, blockZones: readonly string[]): LogRule {
  const args = [...d.args];
  let format = COMMON_FORMAT;
  const last = args.at(-1);
  if (last?.includes('{')) {
    args.pop();
    format = last.replaceAll('{common}', COMMON_FORMAT).replaceAll('{combined}', COMBINED_FORMAT);
  }
  let names: string[];
  try {
    names = args.length > 0 ? args.map(normalizeName) : [...blockZones];
  } catch (err) {
    throw d.error('ERR_COREFILE_VALUE', (err as Error).message);
  }
  const classes = new Set<LogClass>();
  for (const o of d.options()) {
    if (o.directive.name !== 'class') throw o.unknownOption();
    for (const c of o.expectArgs(1, Number.POSITIVE_INFINITY)) {
      if (c === 'all') {
        classes.add('success').add('denial').add('error');
      } else if (c === 'success' || c === 'denial' || c === 'error') {
        classes.add(c);
      } else {
        throw o.error('ERR_COREFILE_VALUE', `unknown class '${c}' (success, denial, error or all)`);
      }
    }
  }
  if (classes.size === 0) classes.add('success').add('denial').add('error');
  return { names, format, classes };
}
