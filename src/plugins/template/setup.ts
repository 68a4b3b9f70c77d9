// `template CLASS TYPE [ZONE...] { match REGEX...; answer RR...; additional RR...;
// authority RR...; rcode CODE; fallthrough [ZONE...]; upstream }` parsed as CoreDNS's
// plugin/template/setup.go does. Several template lines in a block form one handler, tried in
// line order.

import type { BlockInfo } from '../../chain/definition.ts';
import { goRegExp } from '../../config/go-regexp.ts';
import { fallthroughArgs, zoneArgs } from '../../config/zone-args.ts';
import type { DirectiveReader } from '../../corefile/model.ts';
import { parseRcodeName, parseTypeName, RRClass, RRType } from '../../dns/constants.ts';
import { type CompiledTemplate, compileTemplate } from './go-template.ts';

export type Section = 'answer' | 'additional' | 'authority';

export interface TemplateRule {
  readonly qclass: number;
  readonly qtype: number;
  readonly zones: readonly string[];
  readonly regex: readonly RegExp[];
  readonly answer: readonly CompiledTemplate[];
  readonly additional: readonly CompiledTemplate[];
  readonly authority: readonly CompiledTemplate[];
  readonly rcode: number;
  readonly fallthrough: readonly string[] | undefined;
}

export interface TemplateConfig {
  readonly rules: readonly TemplateRule[];
}

const CLASSES: Record<string, number> = {
  IN: RRClass.IN,
  CH: RRClass.CH,
  HS: RRClass.HS,
  NONE: RRClass.NONE,
  ANY: RRClass.ANY,
};

/** miekg/dns's StringToRcode names beyond the basic ones. */
const EXTRA_RCODES: Record<string, number> = { NOERROR: 0, BADSIG: 16, BADKEY: 17, BADTIME: 18 };

export function parseTemplate(d: DirectiveReader, block: BlockInfo): TemplateConfig {
  const [className, typeText, ...zoneTokens] = d.expectArgs(2, Number.POSITIVE_INFINITY);
  const qclass = CLASSES[className ?? ''];
  if (qclass === undefined) throw d.error('ERR_COREFILE_VALUE', `invalid query class ${className}`);
  const qtype = typeText === 'ANY' ? RRType.ANY : parseTypeName(typeText ?? '');
  if (qtype === undefined || typeText !== typeText?.toUpperCase())
    throw d.error('ERR_COREFILE_VALUE', `invalid RR class ${typeText}`);
  const zones = zoneArgs(
    d,
    zoneTokens.flatMap((z) =>
      z
        .replace(/^['"]+|['"]+$/g, '')
        .split(/\s+/)
        .filter(Boolean),
    ),
    block.zones,
  );
  const regex: RegExp[] = [];
  const sections: Record<Section, CompiledTemplate[]> = {
    answer: [],
    additional: [],
    authority: [],
  };
  let rcode = 0;
  let fallthrough: readonly string[] | undefined;
  for (const o of d.options()) {
    const name = o.directive.name;
    if (name === 'match') {
      for (const source of o.expectArgs(1, Number.POSITIVE_INFINITY)) {
        try {
          regex.push(goRegExp(source));
        } catch (err) {
          throw o.error(
            'ERR_COREFILE_VALUE',
            `could not parse regex: ${source}, ${(err as Error).message}`,
          );
        }
      }
    } else if (name === 'answer' || name === 'additional' || name === 'authority') {
      for (const source of o.expectArgs(1, Number.POSITIVE_INFINITY)) {
        try {
          sections[name].push(compileTemplate(source));
        } catch (err) {
          throw o.error(
            'ERR_COREFILE_VALUE',
            `could not compile template: ${(err as Error).message}`,
          );
        }
      }
    } else if (name === 'rcode') {
      const [code = ''] = o.expectArgs(1);
      const value =
        EXTRA_RCODES[code] ?? (code === code.toUpperCase() ? parseRcodeName(code) : undefined);
      if (value === undefined) throw o.error('ERR_COREFILE_VALUE', `unknown rcode ${code}`);
      rcode = value;
    } else if (name === 'fallthrough') {
      fallthrough = fallthroughArgs(o);
    } else if (name === 'upstream') {
      // Accepted for compatibility; CNAME targets are not resolved further (see README).
    } else {
      throw o.unknownOption();
    }
  }
  if (regex.length === 0) regex.push(/.*/);
  return {
    rules: [{ qclass, qtype, zones, regex, ...sections, rcode, fallthrough }],
  };
}

/** Every template line of a block: one handler, rules in line order. */
export function mergeTemplates(configs: readonly TemplateConfig[]): TemplateConfig {
  return { rules: configs.flatMap((c) => c.rules) };
}
