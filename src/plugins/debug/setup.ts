import type { DirectiveReader } from '../../corefile/model.ts';

/** `debug` takes no arguments and no block. */
export function parseDebug(d: DirectiveReader): Record<string, never> {
  d.expectArgs(0);
  d.expectNoBlock();
  return {};
}
