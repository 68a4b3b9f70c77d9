// Corefile structure: server blocks `keys { directives }`, directive lines with arguments and an
// optional `{ }` sub-block, snippets `(name) { … }` with `import name`, and `import <file-glob>`.

import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CorefileError } from './errors.ts';
import { type Env, type LexedToken, lex } from './lexer.ts';
import type { Corefile, Directive, ServerBlock, Token } from './model.ts';

export interface ParseOptions {
  readonly env?: Env;
  /** Reads an imported file; defaults to the file system. */
  readonly readFile?: (path: string) => string;
}

/** Import nesting deeper than this is taken for a cycle. */
const MAX_IMPORT_DEPTH = 10;
/** Imports expanded in one parse, all told (CoreDNS's cap): a snippet fan-out cannot explode. */
const MAX_EXPANSIONS = 1000;

interface ImportIO {
  env: Env;
  readFile: (path: string) => string;
  /** Imports expanded so far in this parse. */
  expansions: number;
}

export function parseCorefile(text: string, file: string, options: ParseOptions = {}): Corefile {
  const env = options.env ?? process.env;
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const snippets = new Map<string, LexedToken[]>();
  const topLevel = extractSnippets(lex(text, file, env), snippets);
  const tokens = expandImports(topLevel, snippets, { env, readFile, expansions: 0 }, 0);
  return { blocks: parseBlocks(tokens, file) };
}

function isOpen(t: LexedToken | undefined): boolean {
  return t !== undefined && !t.quoted && t.text === '{';
}
function isClose(t: LexedToken | undefined): boolean {
  return t !== undefined && !t.quoted && t.text === '}';
}

/** Index just past the `}` matching the `{` at `open`. */
function matchBrace(tokens: readonly LexedToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (isOpen(tokens[i])) depth++;
    else if (isClose(tokens[i]) && --depth === 0) return i + 1;
  }
  const t = tokens[open] as LexedToken;
  throw new CorefileError('ERR_COREFILE_SYNTAX', "unclosed '{'", { file: t.file, line: t.line });
}

/** Removes top-level `(name) { … }` definitions and stores their bodies. */
function extractSnippets(tokens: LexedToken[], snippets: Map<string, LexedToken[]>): LexedToken[] {
  const out: LexedToken[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i] as LexedToken;
    if (t.startsLine && !t.quoted && /^\(.+\)$/.test(t.text) && isOpen(tokens[i + 1])) {
      const end = matchBrace(tokens, i + 1);
      snippets.set(t.text.slice(1, -1), tokens.slice(i + 2, end - 1));
      i = end;
      continue;
    }
    // Skip whole server blocks so a `(x)` inside one is not taken for a snippet.
    if (isOpen(t)) {
      const end = matchBrace(tokens, i);
      for (let k = i; k < end; k++) out.push(tokens[k] as LexedToken);
      i = end;
      continue;
    }
    out.push(t);
    i++;
  }
  return out;
}

function expandImports(
  tokens: readonly LexedToken[],
  snippets: ReadonlyMap<string, LexedToken[]>,
  io: ImportIO,
  depth: number,
): LexedToken[] {
  const out: LexedToken[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as LexedToken;
    // An import starts a line, or directly follows the `{` of a one-line block (`. { import x }`),
    // where CoreDNS's parser also sees it in directive position.
    const atDirective = t.startsLine || isOpen(tokens[i - 1]);
    if (!(atDirective && !t.quoted && t.text === 'import')) {
      out.push(t);
      continue;
    }
    const arg = tokens[i + 1];
    const extra = tokens[i + 2];
    if (
      arg === undefined ||
      arg.startsLine ||
      isOpen(arg) ||
      isClose(arg) ||
      (extra !== undefined && !extra.startsLine && !isClose(extra))
    ) {
      throw new CorefileError('ERR_COREFILE_IMPORT', 'import takes exactly one argument', {
        file: t.file,
        line: t.line,
      });
    }
    if (depth >= MAX_IMPORT_DEPTH) {
      throw new CorefileError(
        'ERR_COREFILE_IMPORT',
        `imports nested deeper than ${MAX_IMPORT_DEPTH} (a cycle?)`,
        { file: t.file, line: t.line },
      );
    }
    if (++io.expansions > MAX_EXPANSIONS) {
      throw new CorefileError(
        'ERR_COREFILE_IMPORT',
        `more than ${MAX_EXPANSIONS} imports expanded (a snippet imported too many times?)`,
        { file: t.file, line: t.line },
      );
    }
    const imported = snippets.get(arg.text) ?? importFiles(arg, io, snippets);
    // The first imported token starts a line, like the `import` it replaces.
    const expanded = expandImports(imported, snippets, io, depth + 1).map((x, k) =>
      k === 0 ? { ...x, startsLine: true } : x,
    );
    for (const x of expanded) out.push(x);
    i++;
  }
  return out;
}

function importFiles(
  arg: LexedToken,
  io: ImportIO,
  snippets: Map<string, LexedToken[]> | ReadonlyMap<string, LexedToken[]>,
): LexedToken[] {
  const pattern = resolve(dirname(arg.file), arg.text);
  let paths = [pattern];
  if (basename(pattern).includes('*')) {
    const re = new RegExp(
      `^${basename(pattern)
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')}$`,
    );
    try {
      paths = readdirSync(dirname(pattern))
        .filter((f) => re.test(f))
        .sort()
        .map((f) => join(dirname(pattern), f));
    } catch {
      paths = [];
    }
    if (paths.length === 0) return []; // a glob may match nothing, as in CoreDNS
  }
  const tokens: LexedToken[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = io.readFile(path);
    } catch (err) {
      throw new CorefileError(
        'ERR_COREFILE_IMPORT',
        `import ${arg.text}: no snippet of that name and no readable file (${(err as Error).message})`,
        { file: arg.file, line: arg.line },
      );
    }
    for (const x of extractSnippets(lex(text, path, io.env), snippets as Map<string, LexedToken[]>))
      tokens.push(x);
  }
  return tokens;
}

function parseBlocks(tokens: readonly LexedToken[], file: string): ServerBlock[] {
  const blocks: ServerBlock[] = [];
  let i = 0;
  while (i < tokens.length) {
    const first = tokens[i] as LexedToken;
    const keys: Token[] = [];
    while (i < tokens.length && !isOpen(tokens[i])) {
      const t = tokens[i] as LexedToken;
      if (isClose(t))
        throw new CorefileError('ERR_COREFILE_SYNTAX', "unexpected '}'", {
          file: t.file,
          line: t.line,
        });
      if (keys.length > 0 && t.startsLine) {
        throw new CorefileError(
          'ERR_COREFILE_SYNTAX',
          `expected '{' after server block keys, got '${t.text}' on a new line`,
          { file: t.file, line: t.line },
        );
      }
      for (const part of t.text.split(','))
        if (part !== '') keys.push({ text: part, file: t.file, line: t.line });
      i++;
    }
    if (i >= tokens.length) {
      throw new CorefileError(
        'ERR_COREFILE_SYNTAX',
        `expected '{' after server block keys '${first.text}'`,
        { file: first.file, line: first.line },
      );
    }
    if (keys.length === 0)
      throw new CorefileError('ERR_COREFILE_SYNTAX', "'{' without server block keys", {
        file: first.file,
        line: first.line,
      });
    const end = matchBrace(tokens, i);
    blocks.push({
      keys,
      directives: parseLines(tokens, i + 1, end - 1),
      file: first.file ?? file,
      line: first.line,
    });
    i = end;
  }
  return blocks;
}

/** Parses directive lines in tokens[from, to). */
function parseLines(tokens: readonly LexedToken[], from: number, to: number): Directive[] {
  const lines: Directive[] = [];
  let i = from;
  while (i < to) {
    const name = tokens[i] as LexedToken;
    if (isOpen(name) || isClose(name)) {
      throw new CorefileError('ERR_COREFILE_SYNTAX', `unexpected '${name.text}'`, {
        file: name.file,
        line: name.line,
      });
    }
    i++;
    const args: Token[] = [];
    while (i < to && !(tokens[i] as LexedToken).startsLine && !isOpen(tokens[i])) {
      const t = tokens[i] as LexedToken;
      if (isClose(t))
        throw new CorefileError('ERR_COREFILE_SYNTAX', "unexpected '}'", {
          file: t.file,
          line: t.line,
        });
      args.push({ text: t.text, file: t.file, line: t.line });
      i++;
    }
    let block: Directive[] | undefined;
    if (i < to && isOpen(tokens[i])) {
      const end = matchBrace(tokens, i);
      block = parseLines(tokens, i + 1, end - 1);
      i = end;
    }
    lines.push({ name: name.text, args, block, file: name.file, line: name.line });
  }
  return lines;
}
