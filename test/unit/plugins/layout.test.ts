// Repository rules for plugin folders (CoreDNS keeps the same as tests): every directive in the
// registry has a folder with the same parts, and every folder is a registered directive.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { it } from 'node:test';
import { DIRECTIVES, PLUGINS } from '../../../src/plugins/registry.ts';

const root = new URL('../../../src/plugins/', import.meta.url);
const folders = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

it('has one folder per registered directive, each in the chain order list', () => {
  assert.deepEqual(folders, [...PLUGINS.keys()].sort());
  for (const name of folders)
    assert.ok(
      (DIRECTIVES as readonly string[]).includes(name),
      `${name} is in DIRECTIVES of src/plugins/registry.ts`,
    );
});

for (const name of folders) {
  it(`src/plugins/${name} has index.ts, setup.ts and a README with the usual sections`, () => {
    const files = readdirSync(new URL(`${name}/`, root));
    for (const part of ['index.ts', 'setup.ts', 'README.md'])
      assert.ok(files.includes(part), `${name}/${part}`);
    const readme = readFileSync(new URL(`${name}/README.md`, root), 'utf8');
    for (const section of ['Name', 'Description', 'Syntax', 'Examples', 'Metrics']) {
      assert.match(
        readme,
        new RegExp(`^## ${section}$`, 'm'),
        `${name}/README.md has ## ${section}`,
      );
    }
  });
}
