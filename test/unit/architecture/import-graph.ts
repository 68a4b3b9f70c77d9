// The import graph of src/, read with the TypeScript compiler's own pre-processor (every
// `import`, `import type`, `export … from` and `import()`), for the repository's layering rules.
// Type-only imports count too: a type cycle is still a design cycle, and it becomes a runtime
// cycle the day someone turns the type into a value import.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const REPO = resolve(import.meta.dirname, '../../..');

/** Repository-relative path (`src/app.ts`) → what it imports: repository-relative paths for
 * relative specifiers, the bare specifier (`node:net`, `typescript`) for everything else. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

export function importGraph(root = 'src'): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(join(REPO, root)).sort()) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    graph.set(
      relative(REPO, file),
      info.importedFiles.map(({ fileName }) =>
        fileName.startsWith('.') ? relative(REPO, resolve(dirname(file), fileName)) : fileName,
      ),
    );
  }
  return graph;
}

/** Every cycle's files (Tarjan's strongly connected components of more than one file, or one
 * that imports itself), each sorted; edges to files outside the graph are ignored. */
export function findCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/** The plugin folder a path is in (`src/plugins/cache/store.ts` → `cache`), if any. */
export function pluginFolder(path: string): string | undefined {
  return /^src\/plugins\/([^/]+)\//.exec(path)?.[1];
}
