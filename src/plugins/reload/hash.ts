import { createHash } from 'node:crypto';
import type { Directive, ServerBlock } from '../../corefile/model.ts';

/**
 * SHA-512 of the parsed server blocks (keys, directives, arguments, sub-blocks; imports already
 * expanded), without file positions: comments, blank lines and indentation do not change it.
 */
export function corefileHash(blocks: readonly ServerBlock[]): string {
  const directive = (d: Directive): unknown => [
    d.name,
    d.args.map((a) => a.text),
    d.block?.map(directive) ?? null,
  ];
  const model = blocks.map((b) => [b.keys.map((k) => k.text), b.directives.map(directive)]);
  return createHash('sha512').update(JSON.stringify(model)).digest('hex');
}
