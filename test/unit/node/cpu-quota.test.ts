import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AUTO_WORKERS_CAP,
  availableCpus,
  cpusetCount,
  quotaCpus,
  resolveWorkers,
} from '../../../src/node/cpu-quota.ts';

describe('cpu quota', () => {
  it('reads cgroup v2 cpu.max, rounding a fraction up', () => {
    assert.equal(quotaCpus('max 100000\n'), undefined);
    assert.equal(quotaCpus('150000 100000\n'), 2);
    assert.equal(quotaCpus('50000 100000'), 1);
    assert.equal(quotaCpus(undefined), undefined);
    assert.equal(quotaCpus('garbage'), undefined);
  });

  it('counts a cpuset list', () => {
    assert.equal(cpusetCount('0-3,6\n'), 5);
    assert.equal(cpusetCount('2'), 1);
    assert.equal(cpusetCount(''), undefined);
    assert.equal(cpusetCount('3-1'), undefined);
  });

  it('takes the smallest limit, and Node’s count when the cgroup says nothing', () => {
    const files: Record<string, string> = {
      '/cg/cpu.max': '300000 100000',
      '/cg/cpuset.cpus.effective': '0-7',
    };
    assert.equal(
      availableCpus((p) => files[p], 16, '/cg'),
      3,
    );
    assert.equal(
      availableCpus(() => undefined, 4, '/cg'),
      4,
    );
  });

  it('resolves auto up to the cap, and a number as given', () => {
    assert.equal(
      resolveWorkers('auto', () => 2),
      2,
    );
    assert.equal(
      resolveWorkers('auto', () => 64),
      AUTO_WORKERS_CAP,
    );
    assert.equal(
      resolveWorkers(3, () => 64),
      3,
    );
  });
});
