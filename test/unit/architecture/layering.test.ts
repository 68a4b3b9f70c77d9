// Repository rules about what may import what (docs/architecture.md): no import cycles; src/dns
// is pure wire code; the framework reaches plugins only through the registry; plugin folders do
// not reach into each other. Each rule prints the offending edges.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCycles, importGraph, pluginFolder } from './import-graph.ts';

const graph = importGraph('src');
const edges = [...graph].flatMap(([from, imports]) => imports.map((to) => ({ from, to })));

describe('the import-graph checker itself', () => {
  it('finds a cycle through three files and a self-import, and none in a chain', () => {
    const cycles = findCycles(
      new Map([
        ['a.ts', ['b.ts', 'node:fs']],
        ['b.ts', ['c.ts']],
        ['c.ts', ['a.ts']],
        ['d.ts', ['d.ts']],
        ['e.ts', ['a.ts']],
      ]),
    );
    assert.deepEqual(cycles, [['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
    assert.deepEqual(
      findCycles(
        new Map([
          ['x.ts', ['y.ts']],
          ['y.ts', []],
        ]),
      ),
      [],
    );
  });

  it('sees type-only imports, re-exports and relative paths of src/', () => {
    assert.ok(graph.size > 50, `read ${graph.size} files`);
    assert.ok(graph.get('src/app.ts')?.includes('src/plugins/registry.ts'));
    assert.ok(graph.get('src/chain/definition.ts')?.includes('src/chain/app-scope.ts'));
  });
});

it('has no import cycles in src/ (type-only imports included)', () => {
  assert.deepEqual(findCycles(graph), []);
});

it('keeps src/dns free of I/O: it imports nothing but other src/dns files', () => {
  const outside = edges.filter(
    ({ from, to }) => from.startsWith('src/dns/') && !/^src\/dns\/[^/]+\.ts$/.test(to),
  );
  assert.deepEqual(outside, []);
});

it('reaches plugin folders from outside src/plugins only through src/plugins/registry.ts', () => {
  // The registry is the one list of directives; app.ts and the node agent import it.
  const reaching = edges.filter(
    ({ from, to }) =>
      from !== 'src/plugins/registry.ts' &&
      pluginFolder(from) === undefined &&
      pluginFolder(to) !== undefined,
  );
  assert.deepEqual(reaching, []);
});

it('keeps plugin folders apart: none imports another plugin folder', () => {
  const crossing = edges.filter(({ from, to }) => {
    const owner = pluginFolder(from);
    const target = pluginFolder(to);
    return owner !== undefined && target !== undefined && owner !== target;
  });
  assert.deepEqual(crossing, []);
});
