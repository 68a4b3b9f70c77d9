// The --help text: every flag under its group, with the default as Go's flag package prints it.

import type { FlagSpec } from './flags.ts';

function flagLine(spec: FlagSpec): string {
  const names = [spec.name, ...(spec.aliases ?? [])].map((n) => `-${n}`).join(', ');
  const arg = spec.kind === 'bool' ? '' : spec.name === 'syncinterval' ? ' duration' : ' value';
  let def = '';
  if (spec.kind === 'bool') def = spec.defaultValue === 'true' ? ' (default true)' : '';
  else if (spec.defaultValue !== '') def = ` (default ${JSON.stringify(spec.defaultValue)})`;
  return `  ${names}${arg}\n    \t${spec.usage}${def}`;
}

export function usageText(specs: readonly FlagSpec[], program = 'nodelocaldns'): string {
  const lines = [
    `Usage: ${program} -localip IP[,IP...] -conf PATH [flags]`,
    '',
    'Flags use Go syntax: -flag value, -flag=value, --flag; booleans -flag or -flag=false.',
  ];
  const groups = [...new Set(specs.map((s) => s.group))];
  for (const group of groups) {
    lines.push('', `${group}:`);
    for (const spec of specs.filter((s) => s.group === group)) lines.push(flagLine(spec));
  }
  lines.push('  -h, -help\n    \tprint this help and exit');
  return `${lines.join('\n')}\n`;
}
