// A stand-in for `helm template` (helm is not packaged for Debian), for the subset of Go
// templates the chart uses: `{{ .Values.key }}`, `{{ if eq|ne .Values.key "text" }}`, `{{ else }}`,
// `{{ end }}` and `{{ required "message" .Values.key }}`. Anything else throws, so the chart
// cannot grow a construct this renderer would get wrong; an unknown value key throws too.

type Values = Readonly<Record<string, string>>;

function value(expr: string, values: Values): string {
  const m = /^\.Values\.(\w+)$/.exec(expr);
  if (m === null) throw new Error(`unsupported template expression '${expr}'`);
  const v = values[m[1] as string];
  if (v === undefined) throw new Error(`no value '${m[1]}'`);
  return v;
}

function condition(expr: string, values: Values): boolean {
  const m = /^(eq|ne) (\.Values\.\w+) "([^"]*)"$/.exec(expr);
  if (m === null) throw new Error(`unsupported condition '${expr}'`);
  return (value(m[2] as string, values) === m[3]) === (m[1] === 'eq');
}

function output(expr: string, values: Values): string {
  const req = /^required "([^"]*)" (\.Values\.\w+)$/.exec(expr);
  if (req === null) return value(expr, values);
  const v = value(req[2] as string, values);
  if (v === '') throw new Error(`required: ${req[1]}`);
  return v;
}

export function renderTemplate(template: string, values: Values): string {
  const parts = template.split(/\{\{\s*(.*?)\s*\}\}/s);
  // Stack of "is this branch being output?" for nested ifs; the outermost level always is.
  const stack: Array<{ active: boolean; taken: boolean }> = [];
  const live = (): boolean => stack.every((s) => s.active);
  let out = '';
  parts.forEach((part, i) => {
    if (i % 2 === 0) {
      if (live()) out += part;
      return;
    }
    if (part.startsWith('if ')) {
      const on = live() && condition(part.slice(3), values);
      stack.push({ active: on, taken: on });
    } else if (part === 'else') {
      const top = stack.at(-1);
      if (top === undefined) throw new Error('else without if');
      top.active = !top.taken;
    } else if (part === 'end') {
      if (stack.pop() === undefined) throw new Error('end without if');
    } else if (live()) out += output(part, values);
  });
  if (stack.length > 0) throw new Error('if without end');
  return out;
}
