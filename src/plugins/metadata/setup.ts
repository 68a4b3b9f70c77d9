import type { BlockInfo } from '../../chain/definition.ts';
import { zoneArgs } from '../../config/zone-args.ts';
import type { DirectiveReader } from '../../corefile/model.ts';

export interface MetadataConfig {
  readonly zones: readonly string[];
}

/** `metadata [ZONES...]` (CoreDNS plugin/metadata/setup.go). */
export function parseMetadata(d: DirectiveReader, block: BlockInfo): MetadataConfig {
  d.expectNoBlock();
  return { zones: zoneArgs(d, d.args, block.zones) };
}
