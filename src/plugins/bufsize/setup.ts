import type { DirectiveReader } from '../../corefile/model.ts';

export interface BufsizeConfig {
  readonly size: number;
}

export const DEFAULT_BUFSIZE = 1232;

/** `bufsize [SIZE]`, SIZE 512 to 4096 (CoreDNS plugin/bufsize/setup.go). */
export function parseBufsize(d: DirectiveReader): BufsizeConfig {
  const [text] = d.expectArgs(0, 1);
  d.expectNoBlock();
  if (text === undefined) return { size: DEFAULT_BUFSIZE };
  const size = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(size >= 512 && size <= 4096))
    throw d.error('ERR_COREFILE_VALUE', `invalid bufsize '${text}': must be from 512 to 4096`);
  return { size };
}
