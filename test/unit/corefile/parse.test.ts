import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CorefileError } from '../../../src/corefile/errors.ts';
import type { Directive } from '../../../src/corefile/model.ts';
import { parseCorefile } from '../../../src/corefile/parse.ts';

/** Files written under a fresh temp dir for the import rows. */
const FILES: Record<string, string> = {
  'conf.d/a.server': 'a.test:53 {\n  log\n}\n',
  'conf.d/b.server': '# b\nb.test:53 {\n  import ../common.conf\n}\n',
  'conf.d/ignored.txt': 'not { imported }\n',
  'common.conf': 'errors\ncache 30\n',
  'nested/inner/lines.conf': '\n\nforward . 127.0.0.1\n',
  'nested/outer.conf': 'import inner/lines.conf\n',
  'self.conf': '# comment\nimport self.conf\n',
  'ping.conf': 'import pong.conf\n',
  'pong.conf': '\nimport ping.conf\n',
};

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'corefile-parse-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

const parse = (text: string): ReturnType<typeof parseCorefile> =>
  parseCorefile(text, join(dir, 'Corefile'), { env: { UP: '10.0.0.1' } });

/** A compact view: `keys | name args {sub} @line` per directive. */
function view(text: string): string[] {
  const line = (d: Directive): string => {
    const args = d.args.map((a) => ` ${a.text}`).join('');
    const sub = d.block === undefined ? '' : ` {${d.block.map(line).join('; ')}}`;
    return `${d.name}${args}${sub} @${d.line}`;
  };
  return parse(text).blocks.map(
    (b) => `${b.keys.map((k) => k.text).join(' ')} | ${b.directives.map(line).join(', ')}`,
  );
}

interface Positive {
  name: string;
  input: string;
  want: string[];
}

const positive: Positive[] = [
  { name: 'empty file', input: '', want: [] },
  {
    name: 'blocks, arguments, sub-blocks and an empty {}',
    input:
      '.:53 {\n  cache {\n    success 9984 30\n    denial 9984 5\n  }\n  forward . {$UP} {\n  }\n}\nexample.org {\n  log\n}\n',
    want: [
      '.:53 | cache {success 9984 30 @3; denial 9984 5 @4} @2, forward . 10.0.0.1 {} @6',
      'example.org | log @10',
    ],
  },
  {
    name: 'several keys, with commas and spaces',
    input: 'a.test:53, b.test:53 c.test:53,d.test:53 {\n  log\n}\n',
    want: ['a.test:53 b.test:53 c.test:53 d.test:53 | log @2'],
  },
  { name: 'one-line block', input: '.:53 { log }\n', want: ['.:53 | log @1'] },
  { name: 'brace on the next line', input: '.:53\n{\n  log\n}\n', want: ['.:53 | log @3'] },
  {
    name: 'snippet imported before and after its definition',
    input:
      '.:53 {\n  import shared\n}\n(shared) {\n  errors\n  log\n}\nx.test {\n  import shared\n  cache\n}\n',
    want: ['.:53 | errors @5, log @6', 'x.test | errors @5, log @6, cache @10'],
  },
  {
    name: 'snippet imported on the line that opens the block (as CoreDNS allows)',
    input: '(s) {\n  log\n}\n.:53 { import s }\n',
    want: ['.:53 | log @2'],
  },
  {
    name: 'snippet importing another snippet',
    input: '(a) {\n  errors\n}\n(b) {\n  import a\n  log\n}\n.:53 {\n  import b\n}\n',
    want: ['.:53 | errors @2, log @6'],
  },
  {
    name: 'a (word) inside a server block is not a snippet',
    input: '.:53 {\n  log (x) {\n  }\n}\n',
    want: ['.:53 | log (x) {} @2'],
  },
  {
    name: 'file import inside a block, relative to the importing file',
    input: '.:53 {\n  import common.conf\n}\n',
    want: ['.:53 | errors @1, cache 30 @2'],
  },
  {
    name: 'nested import resolves against the imported file, not the Corefile',
    input: '.:53 {\n  import nested/outer.conf\n}\n',
    want: ['.:53 | forward . 127.0.0.1 @3'],
  },
  {
    name: 'glob import of whole server blocks, sorted, other files ignored',
    input: 'import conf.d/*.server\n',
    want: ['a.test:53 | log @2', 'b.test:53 | errors @1, cache 30 @2'],
  },
  {
    name: 'glob matching nothing imports nothing',
    input: 'import conf.d/*.none\n.:53 {\n}\n',
    want: ['.:53 | '],
  },
];

interface Negative {
  name: string;
  input: string;
  code: string;
  line: number;
  /** File the error names, relative to the temp dir; default the Corefile. */
  file?: string;
  message?: RegExp;
}

const negative: Negative[] = [
  {
    name: 'unclosed server block',
    input: '.:53 {\n  log\n',
    code: 'ERR_COREFILE_SYNTAX',
    line: 1,
    message: /unclosed/,
  },
  {
    name: 'unclosed second block names its own opening line',
    input: 'a.test {\n}\nb.test {\n  cache {\n    success 1\n  }\n',
    code: 'ERR_COREFILE_SYNTAX',
    line: 3,
  },
  {
    name: 'unclosed sub-block swallows the block end: the outer brace is unclosed',
    input: '.:53 {\n  cache {\n    success 1\n}\n',
    code: 'ERR_COREFILE_SYNTAX',
    line: 1,
  },
  { name: 'unclosed snippet', input: '(s) {\n  log\n', code: 'ERR_COREFILE_SYNTAX', line: 1 },
  {
    name: 'stray closing brace',
    input: '.:53 {\n}\n}\n',
    code: 'ERR_COREFILE_SYNTAX',
    line: 3,
    message: /unexpected '}'/,
  },
  {
    name: 'a brace after arguments closes the block early',
    input: '.:53 {\n  log }\n  errors\n}\n',
    code: 'ERR_COREFILE_SYNTAX',
    line: 4,
  },
  {
    name: 'keys without a block',
    input: '\n.:53\n',
    code: 'ERR_COREFILE_SYNTAX',
    line: 2,
    message: /expected '\{'/,
  },
  {
    name: 'second line of keys',
    input: 'a.test\nb.test {\n}\n',
    code: 'ERR_COREFILE_SYNTAX',
    line: 2,
  },
  { name: 'block without keys', input: '\n{\n  log\n}\n', code: 'ERR_COREFILE_SYNTAX', line: 2 },
  {
    name: 'brace where a directive should be',
    input: '.:53 {\n  {\n  }\n}\n',
    code: 'ERR_COREFILE_SYNTAX',
    line: 2,
  },
  {
    name: 'unterminated quote',
    input: '.:53 {\n  log "x\n}\n',
    code: 'ERR_COREFILE_SYNTAX',
    line: 2,
  },
  {
    name: 'import without argument',
    input: '.:53 {\n  import\n}\n',
    code: 'ERR_COREFILE_IMPORT',
    line: 2,
  },
  { name: 'import of a brace', input: '.:53 { import }\n', code: 'ERR_COREFILE_IMPORT', line: 1 },
  {
    name: 'import with two arguments',
    input: '.:53 {\n  import a b\n}\n',
    code: 'ERR_COREFILE_IMPORT',
    line: 2,
  },
  {
    name: 'import of a missing file',
    input: '\n.:53 {\n  import nope.conf\n}\n',
    code: 'ERR_COREFILE_IMPORT',
    line: 3,
  },
  {
    name: 'file importing itself',
    input: 'import self.conf\n',
    code: 'ERR_COREFILE_IMPORT',
    line: 2,
    file: 'self.conf',
  },
  {
    name: 'two files importing each other',
    input: 'import ping.conf\n',
    code: 'ERR_COREFILE_IMPORT',
    line: 2,
    file: 'pong.conf',
  },
  {
    name: 'snippets importing each other',
    input: '(a) {\n  import b\n}\n(b) {\n  import a\n}\n.:53 {\n  import a\n}\n',
    code: 'ERR_COREFILE_IMPORT',
    line: 5,
    message: /cycle/,
  },
];

describe('parseCorefile', () => {
  // positive
  for (const row of positive) it(row.name, () => assert.deepEqual(view(row.input), row.want));

  it('locates imported tokens in their own file', () => {
    const [block] = parse('.:53 {\n  import nested/outer.conf\n}\n').blocks;
    const d = block?.directives[0];
    assert.deepEqual(
      [d?.file, d?.line, d?.args[1]?.file],
      [join(dir, 'nested/inner/lines.conf'), 3, join(dir, 'nested/inner/lines.conf')],
    );
    assert.deepEqual([block?.file, block?.line], [join(dir, 'Corefile'), 1]);
  });

  it('reads imports through options.readFile when given', () => {
    const seen: string[] = [];
    const parsed = parseCorefile('.:53 {\n  import /virtual/x.conf\n}\n', '/virtual/Corefile', {
      env: {},
      readFile: (path) => {
        seen.push(path);
        return 'log\n';
      },
    });
    assert.deepEqual(seen, ['/virtual/x.conf']);
    assert.equal(parsed.blocks[0]?.directives[0]?.name, 'log');
  });

  // negative
  for (const row of negative) {
    it(`rejects: ${row.name}`, () => {
      const file = join(dir, row.file ?? 'Corefile');
      assert.throws(
        () => parse(row.input),
        (err: unknown) => {
          assert.ok(err instanceof CorefileError, String(err));
          assert.deepEqual([err.code, err.file, err.line], [row.code, file, row.line], err.message);
          assert.ok(err.message.startsWith(`${file}:${row.line} - `), err.message);
          if (row.message !== undefined) assert.match(err.message, row.message);
          return true;
        },
      );
    });
  }

  it('stops a snippet fan-out long before it explodes', () => {
    // 8 levels of "import the previous snippet 12 times" stays under the depth cap of 10 but
    // is 12^8 (4e8) copies of `log` if nothing counts the expansions.
    const levels = ['(s0) {\n  log\n}'];
    for (let i = 1; i <= 8; i++) levels.push(`(s${i}) {\n${`  import s${i - 1}\n`.repeat(12)}}`);
    const text = `${levels.join('\n')}\n.:53 {\n  import s8\n}\n`;
    const started = performance.now();
    assert.throws(
      () => parse(text),
      (err: unknown) => err instanceof CorefileError && err.code === 'ERR_COREFILE_IMPORT',
    );
    // Milliseconds when the expansions are counted; hours if they were not.
    assert.ok(performance.now() - started < 10_000);
  });

  it('parses a block of 200,000 lines (no argument-spreading limits)', () => {
    const text = `.:53 {\n${'  log\n'.repeat(200_000)}}\n(s) {\n${'  errors\n'.repeat(150_000)}}\nx {\n  import s\n}\n`;
    const blocks = parse(text).blocks;
    assert.deepEqual(
      blocks.map((b) => b.directives.length),
      [200_000, 150_000],
    );
  });
});
