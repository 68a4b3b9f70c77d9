import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpositionWriter, renderFamilies } from '../../../src/metrics/exposition.ts';
import { Histogram } from '../../../src/metrics/histogram.ts';
import { mergeFamilies } from '../../../src/metrics/merge.ts';

function worker(requests: number, entries: number, observations: number[]): ExpositionWriter {
  const w = new ExpositionWriter();
  w.family('req_total', 'Requests.', 'counter');
  w.sample('req_total', [['server', 'a']], requests);
  w.family('copies', 'Same copy in every worker.', 'gauge', 'max');
  w.sample('copies', [], entries);
  w.family('dur_seconds', 'Durations.', 'histogram');
  const h = new Histogram([0.1, 1]);
  for (const o of observations) h.observe(o);
  w.histogram('dur_seconds', [['server', 'a']], h);
  return w;
}

describe('mergeFamilies', () => {
  it('sums counters and histogram buckets, keeps the largest of a max gauge', () => {
    const a = worker(3, 7, [0.05, 0.5]);
    const b = worker(4, 7, [2]);
    b.family('only_b', 'A family one worker has.', 'counter');
    b.sample('only_b', [], 1);
    const text = renderFamilies(mergeFamilies([a.families(), b.families()]));
    assert.match(text, /^req_total\{server="a"\} 7$/m);
    assert.match(text, /^copies 7$/m);
    assert.match(text, /^dur_seconds_bucket\{server="a",le="0.1"\} 1$/m);
    assert.match(text, /^dur_seconds_bucket\{server="a",le="1"\} 2$/m);
    assert.match(text, /^dur_seconds_bucket\{server="a",le="\+Inf"\} 3$/m);
    assert.match(text, /^dur_seconds_count\{server="a"\} 3$/m);
    assert.match(text, /^dur_seconds_sum\{server="a"\} 2.55$/m);
    assert.match(text, /^only_b 1$/m);
    assert.equal(text.match(/# TYPE req_total counter/g)?.length, 1);
  });

  it('renders one worker unchanged', () => {
    const a = worker(3, 7, [0.05]);
    assert.equal(renderFamilies(mergeFamilies([a.families()])), a.toString());
  });
});
