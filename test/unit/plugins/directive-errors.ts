// Shared by the plugin setup tests: parse one directive line in a `. { }` block (the line is
// line 2 of "Corefile") and check that bad lines fail with the expected line and message.

import assert from 'node:assert/strict';
import { CorefileError } from '../../../src/corefile/errors.ts';
import { DirectiveReader } from '../../../src/corefile/model.ts';
import { parseCorefile } from '../../../src/corefile/parse.ts';

export function parseLine<T>(body: string, parse: (d: DirectiveReader) => T): T {
  const directive = parseCorefile(`. {\n${body}\n}\n`, 'Corefile').blocks[0]?.directives[0];
  if (directive === undefined) throw new Error('no directive');
  return parse(new DirectiveReader(directive));
}

/** Each [body, line, message]: parsing throws a CorefileError at `line`, prefixed by the plugin. */
export function assertLineErrors<T>(
  plugin: string,
  parse: (d: DirectiveReader) => T,
  cases: readonly [string, number, RegExp][],
): void {
  for (const [body, line, message] of cases)
    assert.throws(
      () => parseLine(body, parse),
      (err: unknown) =>
        err instanceof CorefileError &&
        err.line === line &&
        message.test(err.message) &&
        err.message.startsWith(`Corefile:${line} - plugin/${plugin}: `),
      body,
    );
}
