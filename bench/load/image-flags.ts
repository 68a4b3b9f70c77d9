// The image's Node/V8 flags, read from the Containerfile so the benchmarks start the agent as
// the image does and cannot drift from it: the ENTRYPOINT's flags between node and
// dist/cli.js (`--max-semi-space-size=2`) and `ENV NODE_OPTIONS` (`--max-old-space-size=64`).
// scripts/build-image.sh writes the same two lines into its own Containerfile; a difference
// between the two files is an error here rather than a silently unrepresentative benchmark.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/helpers/fixtures.ts';

export interface ImageNodeFlags {
  /** Flags on node's command line, before the script (space-separated). */
  readonly argv: string;
  /** The image's NODE_OPTIONS value. */
  readonly nodeOptions: string;
}

function parse(text: string, source: string): ImageNodeFlags {
  const options = /^ENV NODE_OPTIONS=(.*)$/m.exec(text)?.[1]?.trim();
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(text)?.[1];
  if (options === undefined || entrypoint === undefined) {
    throw new Error(`${source}: no ENV NODE_OPTIONS= or ENTRYPOINT [...] line`);
  }
  const words = JSON.parse(entrypoint) as string[];
  const script = words.findIndex((w) => w.endsWith('/cli.js'));
  if (script < 1) throw new Error(`${source}: ENTRYPOINT does not run cli.js: ${entrypoint}`);
  return { argv: words.slice(1, script).join(' '), nodeOptions: options };
}

function read(): ImageNodeFlags {
  const containerfile = parse(
    readFileSync(join(REPO_ROOT, 'Containerfile'), 'utf8'),
    'Containerfile',
  );
  const script = parse(
    readFileSync(join(REPO_ROOT, 'scripts', 'build-image.sh'), 'utf8'),
    'scripts/build-image.sh',
  );
  if (script.argv !== containerfile.argv || script.nodeOptions !== containerfile.nodeOptions) {
    throw new Error(
      `Containerfile and scripts/build-image.sh disagree on the image's node flags: ${JSON.stringify(containerfile)} against ${JSON.stringify(script)}`,
    );
  }
  return containerfile;
}

export const IMAGE_FLAGS: ImageNodeFlags = read();
