// Host commands run as argv arrays (issue 12, security): the one runner passes arguments to the
// tool as they are, with no shell to interpret them, kills a tool that outlives its timeout,
// and is the only place in src/ that can start a process.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { it } from 'node:test';
import { ExecFileRunner } from '../../../src/node/exec.ts';
import { REPO_ROOT } from '../../helpers/fixtures.ts';

it('passes shell metacharacters to the tool as plain text', async () => {
  const hostile = '$(touch /nonexistent/x); `id` | cat > /dev/null && echo no # *';
  const r = await new ExecFileRunner().run(['printf', '%s', hostile]);
  assert.deepEqual(r, { code: 0, stdout: hostile, stderr: '' });
});

it('kills a tool past its timeout and reports it as a failure, not an exception', async () => {
  const r = await new ExecFileRunner().run(['sleep', '30'], { timeoutMs: 100 });
  assert.equal(r.code, -1);
  assert.match(r.stderr, /timed out after 100 ms/);
});

it('reports a tool that is not installed as a failed result', async () => {
  const r = await new ExecFileRunner().run(['nodelocaldns-no-such-tool']);
  assert.equal(r.code, -1);
  assert.match(r.stderr, /ENOENT/);
});

it('only src/node/exec.ts imports node:child_process', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) files.push(path);
    }
  };
  walk(join(REPO_ROOT, 'src'));
  const spawning = files
    .filter((f) => /['"](node:)?child_process['"]/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(REPO_ROOT, f));
  assert.deepEqual(spawning, ['src/node/exec.ts']);
});
