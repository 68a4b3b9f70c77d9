// `rewrite [continue|stop] FIELD ...` and the block form `rewrite [continue|stop] { name ...;
// answer ... }` (whose lines form one rule, as in CoreDNS), parsed as plugin/rewrite/setup.go
// and the rule constructors do. Several rewrite lines in a block are one handler, in order.

import { goRegExp } from '../../config/go-regexp.ts';
import type { DirectiveReader } from '../../corefile/model.ts';
import { parseTypeName, RRClass } from '../../dns/constants.ts';
import type {
  AnswerRule,
  EdnsAction,
  EdnsRule,
  MatchType,
  Mode,
  NameMatch,
  Rule,
} from './rules.ts';

export interface RewriteConfig {
  readonly rules: readonly Rule[];
}

const MATCH_TYPES: readonly string[] = ['exact', 'prefix', 'suffix', 'substring', 'regex'];
const CLASSES: Record<string, number> = { IN: RRClass.IN, CH: RRClass.CH, HS: RRClass.HS };

/** Lower case, trailing dot: CoreDNS's plugin.Name(...).Normalize(). */
function normalize(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

export function parseRewrite(d: DirectiveReader): RewriteConfig {
  let tokens = [...d.args];
  if (tokens.length < 2) {
    for (const o of d.options()) tokens.push(o.directive.name, ...o.args);
  } else if (d.directive.block !== undefined) {
    throw d.error('ERR_COREFILE_SYNTAX', 'a rewrite rule on the line takes no block');
  }
  const fail = (message: string): never => {
    throw d.error('ERR_COREFILE_VALUE', message);
  };
  let mode: Mode = 'stop';
  if (tokens[0] === 'stop' || tokens[0] === 'continue') {
    mode = tokens[0];
    tokens = tokens.slice(1);
  }
  const [field, ...args] = tokens;
  const regex = (source: string): RegExp => {
    try {
      return goRegExp(source);
    } catch (err) {
      return fail(`invalid regex matching pattern: ${source} (${(err as Error).message})`);
    }
  };
  const nameMatch = (type: MatchType, from: string): NameMatch =>
    type === 'regex'
      ? { type, from, regex: regex(from) }
      : {
          type,
          from: type === 'substring' ? from.toLowerCase() : normalize(from),
          regex: undefined,
        };
  switch (field) {
    case 'name':
      return { rules: [parseNameRule(mode, args, nameMatch, regex, fail)] };
    case 'type':
    case 'class': {
      if (args.length !== 2) fail(`${field} rules need exactly two arguments (FROM TO)`);
      const code = (text: string): number =>
        (field === 'type' ? parseTypeName(text) : CLASSES[text.toUpperCase()]) ??
        fail(`invalid ${field} '${text}'`);
      return { rules: [{ mode, field, from: code(args[0] ?? ''), to: code(args[1] ?? '') }] };
    }
    case 'ttl': {
      const withType = args.length === 3;
      if (args.length !== 2 && !withType) fail('ttl rules need [MATCH_TYPE] NAME TTL');
      const type = (withType ? args[0] : 'exact') as string;
      if (!MATCH_TYPES.includes(type)) fail(`unknown ttl match type '${type}'`);
      const [min, max] = ttlRange(args[withType ? 2 : 1] ?? '', fail);
      const match = nameMatch(type as MatchType, args[withType ? 1 : 0] ?? '');
      return { rules: [{ mode, field: 'ttl', match, min, max }] };
    }
    case 'edns0':
      return { rules: [{ mode, field: 'edns0', ...parseEdns(args, fail) }] };
    default:
      return fail(`invalid rule type '${field ?? ''}' (name, type, class, ttl or edns0)`);
  }
}

function parseNameRule(
  mode: Mode,
  args: readonly string[],
  nameMatch: (type: MatchType, from: string) => NameMatch,
  regex: (source: string) => RegExp,
  fail: (message: string) => never,
): Rule {
  let rest = [...args];
  let type: MatchType = 'exact';
  if (rest.length >= 3 && MATCH_TYPES.includes((rest[0] ?? '').toLowerCase())) {
    type = (rest.shift() as string).toLowerCase() as MatchType;
  }
  if (rest.length < 2) fail('too few arguments for a name rule');
  const [from = '', toText = ''] = rest;
  rest = rest.slice(2);
  const to = type === 'substring' ? toText.toLowerCase() : normalize(toText);
  let auto = type === 'exact';
  const answer: AnswerRule[] = [];
  while (rest.length > 0) {
    if (rest[0] !== 'answer') fail(`unexpected '${rest[0]}' after the name rule (answer ...)`);
    const kind = rest[1];
    if (kind === 'auto') {
      auto = true;
      rest = rest.slice(2);
    } else if (kind === 'name' || kind === 'value') {
      if (rest.length < 4) fail(`answer ${kind} needs FROM TO`);
      answer.push({
        field: kind,
        pattern: regex(rest[2] ?? ''),
        replacement: normalize(rest[3] ?? ''),
      });
      rest = rest.slice(4);
    } else {
      fail(`unknown answer rule '${kind ?? ''}' (auto, name or value)`);
    }
  }
  return { mode, field: 'name', match: nameMatch(type, from), to, auto, answer };
}

/** `SECONDS`, `MIN-MAX`, `MIN-` or `-MAX` (CoreDNS ttl.go). */
function ttlRange(text: string, fail: (message: string) => never): [number, number] {
  const m = /^(\d*)(-?)(\d*)$/.exec(text);
  if (m === null || (m[1] === '' && m[3] === '')) return fail(`invalid TTL '${text}'`);
  const MAX = 0x7fffffff;
  if (m[2] === '') {
    const n = Number(m[1]);
    if (n > MAX) fail(`invalid TTL '${text}'`);
    return [n, n];
  }
  const min = m[1] === '' ? 0 : Number(m[1]);
  const max = m[3] === '' ? MAX : Number(m[3]);
  if (min > max || max > MAX) fail(`invalid TTL range '${text}'`);
  return [min, max];
}

function parseEdns(
  args: readonly string[],
  fail: (message: string) => never,
): { action: EdnsAction; edns: EdnsRule } {
  const [option, action = '', ...rest] = args;
  if (action !== 'set' && action !== 'replace' && action !== 'append')
    fail(`invalid edns0 action '${action}' (set, replace or append)`);
  const act = action as EdnsAction;
  if (option === 'nsid') {
    if (rest.length !== 0) fail('edns0 nsid takes no further arguments');
    return { action: act, edns: { option: 'nsid' } };
  }
  if (option === 'local') {
    if (rest.length !== 2) fail('edns0 local needs CODE DATA');
    const [codeText = '', data = ''] = rest;
    const code = /^0x[0-9a-f]{1,4}$/i.test(codeText)
      ? Number.parseInt(codeText.slice(2), 16)
      : /^\d+$/.test(codeText) && Number(codeText) < 65536
        ? Number(codeText)
        : fail(`invalid edns0 local code '${codeText}'`);
    let hex: Uint8Array | undefined;
    if (data.startsWith('0x')) {
      if (!/^0x([0-9a-f]{2})+$/i.test(data)) fail(`invalid hex data '${data}'`);
      hex = Uint8Array.from(Buffer.from(data.slice(2), 'hex'));
    }
    return { action: act, edns: { option: 'local', code, data, hex } };
  }
  if (option === 'subnet') {
    if (rest.length !== 2) fail('edns0 subnet needs IPV4_BITS IPV6_BITS');
    const v4Bits = Number(rest[0]);
    const v6Bits = Number(rest[1]);
    if (!(Number.isInteger(v4Bits) && v4Bits >= 0 && v4Bits <= 32))
      fail(`invalid IPv4 bit mask '${rest[0]}'`);
    if (!(Number.isInteger(v6Bits) && v6Bits >= 0 && v6Bits <= 128))
      fail(`invalid IPv6 bit mask '${rest[1]}'`);
    return { action: act, edns: { option: 'subnet', v4Bits, v6Bits } };
  }
  return fail(`unsupported edns0 option '${option ?? ''}' (local, nsid or subnet)`);
}

export function mergeRewrites(configs: readonly RewriteConfig[]): RewriteConfig {
  return { rules: configs.flatMap((c) => c.rules) };
}
