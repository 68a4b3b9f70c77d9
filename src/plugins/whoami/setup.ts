import type { DirectiveReader } from '../../corefile/model.ts';

/** `whoami` takes no arguments and no block. */
export function parseWhoami(d: DirectiveReader): Record<string, never> {
  d.expectArgs(0);
  d.expectNoBlock();
  return {};
}
