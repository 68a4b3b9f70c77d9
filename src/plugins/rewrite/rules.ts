// rewrite's rules as data, and what each does to a query (CoreDNS plugin/rewrite: name.go,
// type.go, class.go, ttl.go, edns0.go). Request rules change the question or the EDNS options;
// a rule that fired may leave response rules behind (answer name/value, auto reversal, ttl).

export type Mode = 'stop' | 'continue';
export type MatchType = 'exact' | 'prefix' | 'suffix' | 'substring' | 'regex';

/** A name match as CoreDNS normalises it: exact/prefix/suffix lower-case and absolute. */
export interface NameMatch {
  readonly type: MatchType;
  readonly from: string;
  readonly regex: RegExp | undefined;
}

/** Applies to names of the reply: owners (`name`) or names inside rdata (`value`). */
export interface AnswerRule {
  readonly field: 'name' | 'value';
  readonly pattern: RegExp;
  /** `{N}` groups substituted. */
  readonly replacement: string;
}

export type EdnsAction = 'set' | 'replace' | 'append';

export type EdnsRule =
  | {
      readonly option: 'local';
      readonly code: number;
      readonly data: string;
      readonly hex: Uint8Array | undefined;
    }
  | { readonly option: 'nsid' }
  | { readonly option: 'subnet'; readonly v4Bits: number; readonly v6Bits: number };

export type Rule = { readonly mode: Mode } & (
  | {
      readonly field: 'name';
      readonly match: NameMatch;
      readonly to: string;
      /** Reverse the rewrite in the reply (`answer auto`; always for exact). */
      readonly auto: boolean;
      readonly answer: readonly AnswerRule[];
    }
  | { readonly field: 'type' | 'class'; readonly from: number; readonly to: number }
  | { readonly field: 'ttl'; readonly match: NameMatch; readonly min: number; readonly max: number }
  | { readonly field: 'edns0'; readonly action: EdnsAction; readonly edns: EdnsRule }
);

/** `{1}`-style groups of a regex match substituted into `template`. */
export function substituteGroups(
  template: string,
  groups: readonly (string | undefined)[],
): string {
  let out = template;
  groups.forEach((g, i) => {
    out = out.replaceAll(`{${i}}`, g ?? '');
  });
  return out;
}

/** True when `name` (lower case, absolute) matches. */
export function nameMatches(m: NameMatch, name: string): boolean {
  switch (m.type) {
    case 'exact':
      return name === m.from;
    case 'prefix':
      return name.startsWith(m.from);
    case 'suffix':
      return name.endsWith(m.from);
    case 'substring':
      return name.includes(m.from);
    case 'regex':
      return (m.regex as RegExp).test(name);
  }
}

/** The rewritten name, or undefined when the rule does not match. */
export function rewriteName(m: NameMatch, to: string, name: string): string | undefined {
  if (!nameMatches(m, name)) return undefined;
  switch (m.type) {
    case 'exact':
      return to;
    case 'prefix':
      return to + name.slice(m.from.length);
    case 'suffix':
      return name.slice(0, name.length - m.from.length) + to;
    case 'substring':
      return name.replaceAll(m.from, to);
    case 'regex': {
      const groups = (m.regex as RegExp).exec(name) ?? [];
      return substituteGroups(to, Array.from(groups)).toLowerCase();
    }
  }
}

/**
 * The reverse of a name rewrite for a reply name (lower case), or undefined when the name does
 * not carry the rewrite. Exact and regex rules map only the rewritten question name back.
 */
export function reverseName(
  rule: { readonly match: NameMatch; readonly to: string },
  original: string,
  rewritten: string,
  name: string,
): string | undefined {
  switch (rule.match.type) {
    case 'exact':
    case 'regex':
      return name === rewritten ? original : undefined;
    case 'prefix':
      return name.startsWith(rule.to) ? rule.match.from + name.slice(rule.to.length) : undefined;
    case 'suffix':
      return name.endsWith(rule.to)
        ? name.slice(0, name.length - rule.to.length) + rule.match.from
        : undefined;
    case 'substring':
      return name.includes(rule.to) ? name.replaceAll(rule.to, rule.match.from) : undefined;
  }
}
