// Go (RE2) regular expressions as Corefiles write them (template `match`, rewrite `regex`), as
// JavaScript RegExps: `(?P<name>...)` becomes `(?<name>...)`, leading `(?i)`/`(?s)`/`(?m)` become
// flags, `\A` and `\z` become `^` and `$` (without the m flag). What cannot be translated
// faithfully (inline flags elsewhere, POSIX classes like `[[:alpha:]]`) throws.

export function goRegExp(source: string): RegExp {
  let body = source;
  let flags = '';
  const lead = /^\(\?([ims]+)\)/.exec(body);
  if (lead !== null) {
    flags = [...new Set(lead[1])].join('');
    body = body.slice(lead[0].length);
  }
  if (/\(\?[a-zA-Z-]+[):]/.test(body.replace(/\(\?P</g, '')))
    throw new Error(`inline flags are only supported at the start of '${source}'`);
  if (body.includes('[[:'))
    throw new Error(`POSIX character classes are not supported in '${source}'`);
  body = body
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$');
  return new RegExp(body, flags);
}
