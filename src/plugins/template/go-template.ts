// The part of Go's text/template that template plugin answers use, compiled once at setup:
// `{{ .Name }}`, `.Type`, `.Class`, `.Zone`, `.Regex`, `.Match`, `index .Match N`, `.Group.NAME`,
// `index .Group "NAME"`, `.Question.Name`/`.Qtype`/`.Qclass`, `.Message.Id`, `.Meta "NAME"`
// (empty: no metadata producers), `{{- -}}` trimming and `{{/* comments */}}`. Values print as
// Go prints them: a slice as `[a b]`, a missing map key as `<no value>`, `index` of a missing
// key as ``. Anything else is refused at setup with the reason.

export interface TemplateData {
  readonly name: string;
  readonly type: string;
  readonly class: string;
  readonly zone: string;
  readonly regex: string;
  readonly match: readonly string[];
  readonly group: ReadonlyMap<string, string>;
  readonly qtype: number;
  readonly qclass: number;
  readonly id: number;
}

/** A run-time failure, as Go's template.Execute returns one (e.g. an index out of range). */
export class TemplateExecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateExecError';
  }
}

export class TemplateSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

type Part = string | ((data: TemplateData) => string);

export interface CompiledTemplate {
  readonly source: string;
  /** As Go prints a parsed template (Tree.Root.String()): actions without inner spaces, the
   * `template` label of CoreDNS's failure counters. */
  readonly canonical: string;
  render(data: TemplateData): string;
}

export function compileTemplate(source: string): CompiledTemplate {
  const parts: Part[] = [];
  let canonical = '';
  let pos = 0;
  let trimNext = false;
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    let text = source.slice(pos, open < 0 ? source.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      parts.push(text);
      canonical += text;
      break;
    }
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateSyntaxError(`unclosed action in "${source}"`);
    let inner = source.slice(open + 2, close);
    if (/^-\s/.test(inner)) {
      text = text.replace(/\s+$/, '');
      inner = inner.slice(1);
    }
    trimNext = /\s-$/.test(inner);
    if (trimNext) inner = inner.slice(0, -1);
    parts.push(text);
    canonical += text;
    const action = inner.trim();
    if (!(action.startsWith('/*') && action.endsWith('*/'))) {
      parts.push(compileAction(action, source));
      canonical += `{{${action.replace(/\s+/g, ' ')}}}`;
    }
    pos = close + 2;
  }
  return {
    source,
    canonical,
    render(data) {
      let out = '';
      for (const part of parts) out += typeof part === 'string' ? part : part(data);
      return out;
    },
  };
}

const SCALARS: Record<string, (d: TemplateData) => string> = {
  '.Name': (d) => d.name,
  '.Type': (d) => d.type,
  '.Class': (d) => d.class,
  '.Zone': (d) => d.zone,
  '.Regex': (d) => d.regex,
  '.Match': (d) => `[${d.match.join(' ')}]`,
  '.Group': (d) =>
    `map[${[...d.group.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}:${v}`)
      .join(' ')}]`,
  '.Question.Name': (d) => d.name,
  '.Question.Qtype': (d) => String(d.qtype),
  '.Question.Qclass': (d) => String(d.qclass),
  '.Message.Id': (d) => String(d.id),
};

function compileAction(action: string, source: string): (data: TemplateData) => string {
  const scalar = SCALARS[action];
  if (scalar !== undefined) return scalar;
  const group = /^\.Group\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(action);
  if (group !== null) {
    const key = group[1] as string;
    return (d) => d.group.get(key) ?? '<no value>';
  }
  const indexMatch = /^index\s+\.Match\s+(\d+)$/.exec(action);
  if (indexMatch !== null) {
    const i = Number(indexMatch[1]);
    return (d) => {
      const value = d.match[i];
      if (value === undefined)
        throw new TemplateExecError(
          `error calling index: index out of range: ${i} (in "${source}")`,
        );
      return value;
    };
  }
  const indexGroup = /^index\s+\.Group\s+"([^"]*)"$/.exec(action);
  if (indexGroup !== null) {
    const key = indexGroup[1] as string;
    return (d) => d.group.get(key) ?? '';
  }
  if (/^\.Meta\s+"[^"]*"$/.test(action)) return () => '';
  throw new TemplateSyntaxError(`unsupported template action {{ ${action} }} in "${source}"`);
}
