// Caddyfile tokens as CoreDNS reads them: words split on white space, `"quoted strings"` with
// backslash escapes, `#` comments, `{` and `}` as their own tokens, and `{$ENV}` / `{$ENV:default}`
// / `{%ENV%}` replaced inside words. Every token keeps its file and line.

import { CorefileError } from './errors.ts';
import type { Token } from './model.ts';

export interface LexedToken extends Token {
  /** True when the token was quoted: `"{"` is a word, not a brace. */
  readonly quoted: boolean;
  /** True when a line break (or the start of the file) came before this token. */
  readonly startsLine: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

export function lex(text: string, file: string, env: Env = process.env): LexedToken[] {
  const tokens: LexedToken[] = [];
  let line = 1;
  let i = 0;
  let newLine = true;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      newLine = true;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"') {
      const startLine = line;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length)
          throw new CorefileError('ERR_COREFILE_SYNTAX', 'unterminated quoted string', {
            file,
            line: startLine,
          });
        const q = text[i] as string;
        if (q === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (q === '"') break;
        if (q === '\n') line++;
        value += q;
        i++;
      }
      i++;
      tokens.push({
        text: substituteEnv(value, env),
        file,
        line: startLine,
        quoted: true,
        startsLine: newLine,
      });
      newLine = false;
    } else {
      let word = '';
      while (i < text.length) {
        const w = text[i] as string;
        if (w === ' ' || w === '\t' || w === '\r' || w === '\n') break;
        // `{$ENV}` and `{%ENV%}` stay inside the word; a bare `{` or `}` ends it only when alone.
        word += w;
        i++;
      }
      // `zone:53{` is written often enough to accept: split a trailing brace off the word.
      const opensBlock = word.length > 1 && word.endsWith('{') && !word.endsWith('}{');
      const value = substituteEnv(opensBlock ? word.slice(0, -1) : word, env);
      tokens.push({ text: value, file, line, quoted: false, startsLine: newLine });
      if (opensBlock) tokens.push({ text: '{', file, line, quoted: false, startsLine: false });
      newLine = false;
    }
  }
  return tokens;
}

const ENV_PATTERN = /\{\$([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}|\{%([A-Za-z_][A-Za-z0-9_]*)%\}/g;

function substituteEnv(word: string, env: Env): string {
  if (!word.includes('{')) return word;
  return word.replace(
    ENV_PATTERN,
    (
      _m,
      dollarName: string | undefined,
      fallback: string | undefined,
      percentName: string | undefined,
    ) => {
      const name = dollarName ?? percentName ?? '';
      return env[name] ?? fallback ?? '';
    },
  );
}
