import assert from 'node:assert/strict';
import { it } from 'node:test';
import { selectTests } from '../../../scripts/test-selection.ts';

const files = [
  'test/unit/dns/framing.test.ts',
  'test/netns/rules.test.ts',
  './test/netns/node-agent.test.ts',
  'test/integration/netns-free.test.ts',
];

it('leaves the namespace tests out for a non-root user, with the reason', () => {
  const s = selectTests(files, false);
  assert.deepEqual(s.run, ['test/unit/dns/framing.test.ts', 'test/integration/netns-free.test.ts']);
  assert.deepEqual(
    s.notRun.map((n) => n.file),
    ['test/netns/rules.test.ts', './test/netns/node-agent.test.ts'],
  );
  assert.ok(s.notRun.every((n) => n.reason.includes('needs root')));
});

it('runs everything as root', () => {
  assert.deepEqual(selectTests(files, true), { run: files, notRun: [] });
});
