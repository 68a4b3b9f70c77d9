import type { DirectiveReader } from '../../corefile/model.ts';

/** `loop` takes no arguments and no block. */
export function parseLoop(d: DirectiveReader): Record<string, never> {
  d.expectArgs(0);
  d.expectNoBlock();
  return {};
}
