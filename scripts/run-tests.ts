// Runs the test files under the given folders (default: all of test/) with Node's test runner,
// on the Node that runs this script (npm scripts put the project's Node 24 first on PATH).
// An explicit file list keeps the run independent of shell globbing. As a user other than root,
// the tests that need root are not run, and the run says which and why (scripts/test-selection.ts).

import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { selectTests } from './test-selection.ts';

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
const isRoot = process.getuid?.() === 0;
const { run, notRun } = selectTests(files, isRoot);
if (notRun.length > 0) {
  console.error(`not running ${notRun.length} test file(s) as a non-root user:`);
  for (const { file, reason } of notRun) console.error(`  ${file}: ${reason}`);
  console.error('run as root (as CI does) to include them.');
}
if (files.length === 0) {
  console.error(`no test files under ${roots.join(' ')}`);
  process.exitCode = 1;
} else if (run.length === 0) {
  console.error('every selected test file needs root; nothing was run');
} else {
  const result = spawnSync(
    process.execPath,
    [
      '--test',
      '--test-concurrency=2',
      '--test-timeout=120000',
      '--disable-warning=ExperimentalWarning',
      ...run,
    ],
    { stdio: 'inherit' },
  );
  process.exitCode = result.status ?? 1;
  if (notRun.length > 0)
    console.error(`(${notRun.length} root-only test file(s) were not run, listed above)`);
}
