// The soak test's short form, run by `npm test` (and so by .ci/run): 70 s of mixed load
// on the agent process while its upstream cycles through every fault, with reloads, and the
// bounds of test/soak/bounds.ts. The long form is `npm run soak -- --minutes 10` (docs/soak.md).

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { checkBounds, formatReport } from './bounds.ts';
import { runSoak } from './soak.ts';

it('agent under a minute of mixed load and upstream faults stays within its bounds', {
  timeout: 240_000,
}, async (t) => {
  const report = await runSoak({
    loadMs: 70_000,
    // RSS rises for about a minute while caches, pools and the heap fill (docs/soak.md).
    warmupMs: 35_000,
    faultMs: 3500,
    reloadEveryMs: 6000,
    sampleEveryMs: 2000,
    ratePerSec: 150,
    seed: 12,
  });
  const verdicts = checkBounds(report);
  const text = formatReport(report, verdicts);
  t.diagnostic(text);
  const failed = verdicts.filter((v) => !v.ok);
  assert.equal(failed.length, 0, `${text}\n--- agent log tail ---\n${report.logTail.slice(-4000)}`);
});
