// Runs a Corefile line through a plugin's parse and returns the config or the error code.

import { CorefileError } from '../../../src/corefile/errors.ts';
import { DirectiveReader } from '../../../src/corefile/model.ts';
import { parseCorefile } from '../../../src/corefile/parse.ts';

export function parseLine<T>(line: string, parse: (d: DirectiveReader) => T): T {
  const block = parseCorefile(`.:53 {\n${line}\n}\n`, 'Corefile').blocks[0];
  const directive = block?.directives[0];
  if (directive === undefined) throw new Error('no directive');
  return parse(new DirectiveReader(directive));
}

export function errorOf(line: string, parse: (d: DirectiveReader) => unknown): string {
  try {
    parseLine(line, parse);
  } catch (err) {
    if (err instanceof CorefileError) return `${err.code} ${err.message}`;
    throw err;
  }
  return 'no error';
}
