// A parser for Go's `flag` package syntax, which node-cache's DaemonSet args use:
// `-name value`, `-name=value`, `--name` (one or two dashes are the same), booleans as `-name`
// or `-name=false` (never `-name false`), parsing stops at the first non-flag or after `--`.
// Repeated flags: the last one wins. node:util parseArgs rejects single-dash long names.

export type FlagKind = 'string' | 'bool';

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  /** The default as Go would print it in the usage text. */
  readonly defaultValue: string;
  readonly usage: string;
  /** Other names for the same flag (`p` for `dns.port`). */
  readonly aliases?: readonly string[];
  /** Shown in the usage under its own heading. */
  readonly group: string;
}

export type UsageErrorCode =
  | 'ERR_FLAG_UNKNOWN'
  | 'ERR_FLAG_VALUE'
  | 'ERR_FLAG_MISSING_VALUE'
  | 'ERR_FLAG_SYNTAX'
  | 'ERR_FLAG_EXTRA_ARGS';

/** A command-line problem: the CLI prints the message and the usage text, then exits 2. */
export class UsageError extends Error {
  readonly code: UsageErrorCode;
  constructor(code: UsageErrorCode, message: string) {
    super(message);
    this.name = 'UsageError';
    this.code = code;
  }
}

export interface ParsedFlags {
  /** Canonical flag name → raw string value (bools as 'true'/'false'), only flags that were set. */
  readonly values: ReadonlyMap<string, string>;
  /** True when -h/-help/--help was given (Go prints usage and exits 0). */
  readonly help: boolean;
  /** Arguments after the flags. */
  readonly rest: readonly string[];
}

// strconv.ParseBool
const TRUE_WORDS = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/**
 * A whole-number flag value in [min, max]; `want` describes it in the usage error
 * ("a port 1-65535"). One check for every numeric flag, so they all refuse `1e3`, `-1` and `08.`.
 */
export function parseWholeNumber(
  text: string,
  flag: string,
  min: number,
  max: number,
  want: string,
): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= min && n <= max))
    throw new UsageError(
      'ERR_FLAG_VALUE',
      `invalid value "${text}" for flag -${flag}: want ${want}`,
    );
  return n;
}

export function parseGoBool(text: string): boolean | undefined {
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map<string, FlagSpec>();
  for (const spec of specs) {
    byName.set(spec.name, spec);
    for (const alias of spec.aliases ?? []) byName.set(alias, spec);
  }
  const values = new Map<string, string>();
  let help = false;
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] ?? '';
    if (arg.length < 2 || !arg.startsWith('-')) break; // '-' alone and non-flags end the flags
    i += 1;
    if (arg === '--') break;
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    if (body.length === 0 || body.startsWith('-') || body.startsWith('=')) {
      throw new UsageError('ERR_FLAG_SYNTAX', `bad flag syntax: ${arg}`);
    }
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    const inline = eq < 0 ? undefined : body.slice(eq + 1);
    const spec = byName.get(name);
    if (spec === undefined) {
      if (name === 'h' || name === 'help') {
        help = true;
        continue;
      }
      throw new UsageError('ERR_FLAG_UNKNOWN', `flag provided but not defined: -${name}`);
    }
    if (spec.kind === 'bool') {
      const text = inline ?? 'true';
      const value = parseGoBool(text);
      if (value === undefined) {
        throw new UsageError(
          'ERR_FLAG_VALUE',
          `invalid boolean value "${text}" for -${name}: parse error`,
        );
      }
      values.set(spec.name, String(value));
      continue;
    }
    if (inline !== undefined) {
      values.set(spec.name, inline);
      continue;
    }
    const next = argv[i];
    if (next === undefined)
      throw new UsageError('ERR_FLAG_MISSING_VALUE', `flag needs an argument: -${name}`);
    values.set(spec.name, next);
    i += 1;
  }
  return { values, help, rest: argv.slice(i) };
}
