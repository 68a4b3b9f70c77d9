// node-cache 1.26.0 and nodelocaldns with the same plugin Corefile (plugin-corefile.ts) in front
// of one knot: every case of plugin-cases.ts must answer alike, up to the intended differences
// (intended.ts, docs/differences.md). Runs only where ../shared/anchors exists (.ci/run).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import type { FakeUpstream } from '../test/helpers/fake-upstream.ts';
import type { Knot } from '../test/helpers/knot.ts';
import { REPO_ROOT } from './anchor.ts';
import { runCases, unintended, unobserved } from './ask.ts';
import { healthStatus, metricNames, requestCounts } from './http.ts';
import { INTENDED } from './intended.ts';
import { type Pair, serverLogs, startPair, startUpstreamKnot } from './pair.ts';
import { PLUGIN_CASES } from './plugin-cases.ts';
import { pluginCorefile } from './plugin-corefile.ts';
import { startScriptedUpstream } from './scripted-upstream.ts';

let knot: Knot;
let scripted: FakeUpstream;
let pair: Pair;

before(async () => {
  knot = await startUpstreamKnot();
  scripted = await startScriptedUpstream();
  pair = await startPair(pluginCorefile(knot.port, scripted.port));
});

after(async () => {
  await pair?.stop();
  await knot?.stop();
  await scripted?.stop();
});

const keysOf = (id: string): readonly string[] => {
  const row = INTENDED[id];
  if (row === undefined) throw new Error(`no intended difference ${id}`);
  return row.keys;
};

it('answers every plugin case as node-cache does, up to the intended differences', async () => {
  const outcomes = await runCases(pair, PLUGIN_CASES);
  assert.equal(outcomes.length, PLUGIN_CASES.length);
  const left = unintended(PLUGIN_CASES, outcomes, keysOf);
  assert.deepEqual(left, [], `unintended differences:\n${left.join('\n')}\n${serverLogs(pair)}`);
  // Every intended difference a case names does show somewhere: no stale rows.
  assert.deepEqual(unobserved(PLUGIN_CASES, outcomes, keysOf), []);
});

it('both serve health, and nodelocaldns has every coredns_ family node-cache shows', async () => {
  assert.equal(await healthStatus(pair.reference), 200);
  assert.equal(await healthStatus(pair.candidate), 200);
  const [ref, cand] = [await metricNames(pair.reference), await metricNames(pair.candidate)];
  // Every CoreDNS family node-cache exposes after the cases (go_* and promhttp_* are Go's).
  const coreFamilies = [...ref].filter((n) => n.startsWith('coredns_'));
  assert.ok(coreFamilies.length >= 20, `only ${coreFamilies.length} coredns_ families`);
  const missing = coreFamilies.filter((n) => !cand.has(n));
  assert.deepEqual(missing, [], 'node-cache metric families nodelocaldns lacks');
});

it('lists every intended difference in docs/differences.md', async () => {
  const doc = await readFile(join(REPO_ROOT, 'docs/differences.md'), 'utf8');
  for (const id of Object.keys(INTENDED)) assert.ok(doc.includes(`\`${id}\``), id);
});

it('counts the cluster.local requests as node-cache does, by type and transport', async () => {
  // Runs after the cases (node:test runs a file's tests in order). Not example.test: CoreDNS's
  // dns64 sends its A lookups through the whole server again, so they count as requests there.
  const ref = await requestCounts(pair.reference, 'cluster.local.');
  const cand = await requestCounts(pair.candidate, 'cluster.local.');
  assert.ok(Object.keys(ref).length >= 5, JSON.stringify(ref));
  assert.deepEqual(cand, ref);
});
