import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ExpositionWriter,
  escapeHelp,
  escapeLabelValue,
  formatValue,
} from '../../../src/metrics/exposition.ts';
import { Histogram, SIZE_BUCKETS, TIME_BUCKETS } from '../../../src/metrics/histogram.ts';
import { MetricsRegistry } from '../../../src/metrics/registry.ts';
import { parseExposition } from '../../integration/observe-helpers.ts';

describe('exposition', () => {
  it('escapes label values and HELP as the text format requires', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.equal(escapeHelp('x\\y\nz "q"'), 'x\\\\y\\nz "q"');
    const w = new ExpositionWriter();
    w.family('t_total', 'help', 'counter');
    w.sample('t_total', [['zone', 'we"ird\\\n']], 1);
    assert.match(w.toString(), /^t_total\{zone="we\\"ird\\\\\\n"\} 1$/m);
    const parsed = parseExposition(w.toString());
    assert.equal(parsed.samples[0]?.labels['zone'], 'we"ird\\\n');
  });

  it('formats special values', () => {
    assert.equal(formatValue(Number.POSITIVE_INFINITY), '+Inf');
    assert.equal(formatValue(Number.NaN), 'NaN');
    assert.equal(formatValue(0.00025), '0.00025');
    assert.equal(formatValue(3), '3');
  });

  it('groups samples of one family under one HELP and TYPE, whatever order they were written', () => {
    const w = new ExpositionWriter();
    w.family('a_total', 'A', 'counter');
    w.family('b', 'B', 'gauge');
    w.sample('a_total', [['x', '1']], 1);
    w.sample('b', [], 2);
    w.family('a_total', 'A again', 'counter');
    w.sample('a_total', [['x', '2']], 3);
    const lines = w.toString().trimEnd().split('\n');
    assert.deepEqual(lines, [
      '# HELP a_total A',
      '# TYPE a_total counter',
      'a_total{x="1"} 1',
      'a_total{x="2"} 3',
      '# HELP b B',
      '# TYPE b gauge',
      'b 2',
    ]);
  });

  it('renders cumulative buckets, +Inf, _sum and _count', () => {
    const h = new Histogram([1, 2, 5]);
    for (const v of [0.5, 1, 1.5, 3, 10]) h.observe(v);
    const w = new ExpositionWriter();
    w.family('h', 'H', 'histogram');
    w.histogram('h', [['server', 's']], h);
    const e = parseExposition(w.toString());
    const buckets = e.samples
      .filter((s) => s.name === 'h_bucket')
      .map((s) => [s.labels['le'], s.value]);
    assert.deepEqual(buckets, [
      ['1', 2],
      ['2', 3],
      ['5', 4],
      ['+Inf', 5],
    ]);
    assert.equal(e.samples.find((s) => s.name === 'h_sum')?.value, 16);
    assert.equal(e.samples.find((s) => s.name === 'h_count')?.value, 5);
  });

  it('has CoreDNS bucket sets', () => {
    assert.deepEqual(TIME_BUCKETS.map(formatValue), [
      '0.00025',
      '0.0005',
      '0.001',
      '0.002',
      '0.004',
      '0.008',
      '0.016',
      '0.032',
      '0.064',
      '0.128',
      '0.256',
      '0.512',
      '1.024',
      '2.048',
      '4.096',
      '8.192',
    ]);
    assert.equal(SIZE_BUCKETS[9], 8291);
  });

  it('keeps rendering when one collector throws', () => {
    const r = new MetricsRegistry();
    const errors: unknown[] = [];
    r.register({
      collect: () => {
        throw new Error('boom');
      },
    });
    const remove = r.register({
      collect: (w) => {
        w.family('ok', 'ok', 'gauge');
        w.sample('ok', [], 1);
      },
    });
    assert.match(
      r.render((e) => errors.push(e)),
      /^ok 1$/m,
    );
    assert.equal(errors.length, 1);
    remove();
    assert.doesNotMatch(r.render(), /^ok/m);
  });
});
