// The Corefile lexer, parser and planner only ever throw CorefileError, on arbitrary text and
// on soups of the tokens that matter (braces, quotes, snippets, imports, env references).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { planCorefile } from '../../src/config/plan.ts';
import { CorefileError } from '../../src/corefile/errors.ts';
import { parseCorefile } from '../../src/corefile/parse.ts';
import { PLUGINS } from '../../src/plugins/registry.ts';
import { timeBudget, timed } from './budget.ts';

const WORDS = [
  '{',
  '}',
  '{ }',
  '"',
  '"{"',
  '\\"',
  '#',
  '\n',
  '\n',
  '\n',
  ' ',
  ' ',
  '\t',
  '\r\n',
  '.:53',
  ':0',
  'a.test:54',
  'dns://x.test',
  '10.0.0.0/15',
  'fd00::/7',
  '[::1]',
  ',',
  'import',
  'import s',
  'import f.conf',
  'import *.conf',
  '(s)',
  '(s) {',
  'import',
  'log',
  'errors',
  'cache',
  'cache 30',
  'forward',
  'forward . 127.0.0.1',
  'bind',
  'bind 127.0.0.1',
  'success 9984 30',
  'denial',
  'health',
  'reload',
  'loop',
  'ready',
  'prometheus',
  'prometheus :0',
  '{$X}',
  '{$Y:def}',
  '{%X%}',
  '{$',
  'x{',
  '}{',
  '\\',
  'abc',
  '0',
  '-1',
  '99999999999',
];

/** Imports read from this map: a file may import itself or the others. */
const FILES: Record<string, string> = {
  '/fuzz/f.conf': 'log\nimport f.conf\n',
  '/fuzz/g.conf': '.:53 {\n errors\n}\n',
};

function run(text: string): void {
  try {
    timed('parse + plan', () => {
      const corefile = parseCorefile(text, '/fuzz/Corefile', {
        env: { X: 'a b', Y: '' },
        readFile: (path) => {
          const found = FILES[path];
          if (found === undefined) throw new Error(`ENOENT ${path}`);
          return found;
        },
      });
      planCorefile(corefile, PLUGINS, { defaultPort: 53 });
    });
  } catch (err) {
    assert.ok(err instanceof CorefileError, `threw ${String(err)} for ${JSON.stringify(text)}`);
    assert.match(err.message, /^\/fuzz\/(Corefile|[fg]\.conf):\d+ - /);
  }
}

describe('Corefile fuzz', () => {
  it('arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300, unit: 'binary' }), run), timeBudget(3_000));
  });

  it('token soups', () => {
    const soup = fc.array(fc.constantFrom(...WORDS), { maxLength: 60 }).map((w) => w.join(' '));
    fc.assert(fc.property(soup, run), timeBudget(5_000));
  });

  it('soups inside a well-formed block', () => {
    const body = fc.array(fc.constantFrom(...WORDS), { maxLength: 30 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(body, (b) => run(`(s) {\n log\n}\n.:0 {\n bind 127.0.0.1\n ${b}\n}\n`)),
      timeBudget(4_000),
    );
  });
});
