// Runs the test files under the given folders (default: all of test/) with Node's test runner,
// on the Node that runs this script (npm scripts put the project's Node 24 first on PATH).
// An explicit file list keeps the run independent of shell globbing.

import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(path: string, out: string[]): void {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) collect(join(path, entry), out);
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
}

const roots = process.argv.slice(2);
const files: string[] = [];
for (const root of roots.length > 0 ? roots : ['test']) collect(root, files);
if (files.length === 0) {
  console.error(`no test files under ${roots.join(' ')}`);
  process.exitCode = 1;
} else {
  const result = spawnSync(
    process.execPath,
    [
      '--test',
      '--test-concurrency=2',
      '--test-timeout=120000',
      '--disable-warning=ExperimentalWarning',
      ...files,
    ],
    { stdio: 'inherit' },
  );
  process.exitCode = result.status ?? 1;
}
