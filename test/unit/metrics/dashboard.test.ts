// Every metric the Grafana dashboard queries must be one the agent exports.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { it } from 'node:test';
import { startApp } from '../../../src/app.ts';
import { ExpositionWriter } from '../../../src/metrics/exposition.ts';
import { memoryLogger } from '../../../src/util/log.ts';
import { REPO_ROOT } from '../../helpers/fixtures.ts';
import { parseExposition } from '../../integration/observe-helpers.ts';

interface Panel {
  readonly targets?: ReadonlyArray<{ readonly expr: string }>;
}

it('queries only metric names the agent exports', async (t) => {
  const dashboard = JSON.parse(
    await readFile(`${REPO_ROOT}/deploy/grafana-dashboard.json`, 'utf8'),
  ) as {
    panels: Panel[];
    templating: { list: Array<{ query?: unknown }> };
  };
  const app = await startApp({ corefileText: '.:0 {\n bind 127.0.0.1\n}\n', log: memoryLogger() });
  t.after(() => app.stop());
  const exported = parseExposition(app.services.registry.render());
  const families = new Set(exported.type.keys());
  assert.ok(new ExpositionWriter() !== undefined);
  const exprs = [
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((x) => x.expr)),
    ...dashboard.templating.list.map((v) => (typeof v.query === 'string' ? v.query : '')),
  ];
  const used = new Set(
    exprs.flatMap((e) => e.match(/\b(coredns|process|nodejs)_[a-z0-9_]+/g) ?? []),
  );
  assert.ok(used.size >= 15, `only ${used.size} metrics used`);
  for (const name of used) {
    const family = name.replace(/_(bucket|sum|count)$/, '');
    assert.ok(
      families.has(name) || (families.has(family) && exported.type.get(family) === 'histogram'),
      `${name} is not exported`,
    );
  }
});
