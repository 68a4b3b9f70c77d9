import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CorefileError } from '../../../src/corefile/errors.ts';
import { type Env, lex } from '../../../src/corefile/lexer.ts';

const ENV: Env = { ZONE: 'cluster.local', SPACED: 'a b', EMPTY: '', PORT: '5353' };

/** Tokens as `text@line` with `"` for quoted ones and `^` for line starts. */
function tokens(text: string, env: Env = ENV): string[] {
  return lex(text, 'Corefile', env).map(
    (t) => `${t.startsLine ? '^' : ''}${t.quoted ? `"${t.text}"` : t.text}@${t.line}`,
  );
}

interface Row {
  name: string;
  input: string;
  want: string[];
}

const positive: Row[] = [
  { name: 'empty input', input: '', want: [] },
  { name: 'only comments and blanks', input: '# a\n\n   # b\n\t\r\n', want: [] },
  {
    name: 'words, braces and line starts',
    input: '.:53 {\n  errors\n  cache 30\n}\n',
    want: ['^.:53@1', '{@1', '^errors@2', '^cache@3', '30@3', '^}@4'],
  },
  {
    name: 'trailing brace split off a key',
    input: 'example.org:53{\n}',
    want: ['^example.org:53@1', '{@1', '^}@2'],
  },
  { name: 'CRLF line ends and tabs', input: 'a\tb\r\nc\r\n', want: ['^a@1', 'b@1', '^c@2'] },
  {
    name: 'comment after a word',
    input: 'cache 30 # thirty\nlog',
    want: ['^cache@1', '30@1', '^log@2'],
  },
  {
    name: 'quoted strings keep spaces, braces and hashes',
    input: 'log "{remote} # x" "{"',
    want: ['^log@1', '"{remote} # x"@1', '"{"@1'],
  },
  {
    name: 'escaped quote and backslash in quotes',
    input: 'a "x\\"y\\\\z\\n"',
    want: ['^a@1', '"x"y\\z\\n"@1'],
  },
  {
    name: 'quoted string across lines keeps its first line, later lines count',
    input: 'a "one\ntwo"\nb',
    want: ['^a@1', '"one\ntwo"@1', '^b@3'],
  },
  { name: 'empty quoted string', input: 'a ""', want: ['^a@1', '""@1'] },
  {
    name: 'env substitution, with and without defaults',
    input: '{$ZONE}:{$PORT} {$MISSING:8.8.8.8} {$MISSING} {%ZONE%} {$EMPTY:dflt} x{$ZONE}y',
    want: [
      '^cluster.local:5353@1',
      '8.8.8.8@1',
      '@1',
      'cluster.local@1',
      '@1',
      'xcluster.localy@1',
    ],
  },
  {
    name: 'env value with spaces stays one token; quoted env is substituted too',
    input: 'a {$SPACED} "{$ZONE} z"',
    want: ['^a@1', 'a b@1', '"cluster.local z"@1'],
  },
  {
    name: 'env reference that ends in a brace is not split as a block opener',
    input: 'forward . {$UP:1.1.1.1}\n',
    want: ['^forward@1', '.@1', '1.1.1.1@1'],
  },
  { name: 'a lone brace word and a }{ word', input: '{ }{', want: ['^{@1', '}{@1'] },
  {
    name: 'malformed env syntax is left alone',
    input: '{$} {$1A} {%X {$A',
    want: ['^{$}@1', '{$1A}@1', '{%X@1', '{$A@1'],
  },
];

describe('lexer', () => {
  // positive
  for (const row of positive) {
    it(row.name, () => assert.deepEqual(tokens(row.input), row.want));
  }

  it('keeps the file name on every token', () => {
    assert.deepEqual(
      lex('a\nb', 'conf.d/x.conf', {}).map((t) => t.file),
      ['conf.d/x.conf', 'conf.d/x.conf'],
    );
  });

  it('reads process.env by default', () => {
    process.env['NODELOCALDNS_LEXER_TEST'] = 'from-env';
    try {
      assert.deepEqual(
        lex('{$NODELOCALDNS_LEXER_TEST}', 'f').map((t) => t.text),
        ['from-env'],
      );
    } finally {
      delete process.env['NODELOCALDNS_LEXER_TEST'];
    }
  });

  // negative
  const negative = [
    {
      name: 'unterminated quote',
      input: 'a\nb "open\n\nmore',
      code: 'ERR_COREFILE_SYNTAX',
      line: 2,
    },
    { name: 'quote ending in an escape', input: 'x "abc\\"', code: 'ERR_COREFILE_SYNTAX', line: 1 },
  ];
  for (const row of negative) {
    it(`rejects: ${row.name}`, () => {
      assert.throws(
        () => lex(row.input, 'Corefile', {}),
        (err: unknown) =>
          err instanceof CorefileError &&
          err.code === row.code &&
          err.line === row.line &&
          err.message.startsWith(`Corefile:${row.line} - `),
      );
    });
  }
});
