// node-cache 1.26.0 and nodelocaldns with Kubernetes' sample Corefile
// (test/fixtures/kube-sample.Corefile), placeholders filled for loopback as the kube-sample
// integration test does, in front of knot: cluster.local and reverse zones over force_tcp, the
// rest to the "upstream servers" knot. Runs only where ../shared/anchors exists (.ci/run).

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { type Knot, ZONE_DATA } from '../test/helpers/knot.ts';
import { REPO_ROOT } from './anchor.ts';
import { type Case, runCases, unintended, unobserved } from './ask.ts';
import { CACHED } from './case-helpers.ts';
import { healthStatus } from './http.ts';
import { INTENDED } from './intended.ts';
import { type Pair, type Ports, serverLogs, startPair, startUpstreamKnot } from './pair.ts';

const Z = ZONE_DATA;
const CASES: readonly Case[] = [
  { title: 'cluster A', query: { name: Z.kubeDns, type: 'A' }, intended: CACHED },
  { title: 'cluster A hit', query: { name: Z.kubeDns, type: 'A' }, intended: CACHED },
  { title: 'cluster A TCP', query: { name: Z.web, type: 'A', proto: 'tcp' }, intended: CACHED },
  { title: 'cluster SRV', query: { name: Z.kubeDnsSrv, type: 'SRV' }, intended: CACHED },
  { title: 'cluster NXDOMAIN', query: { name: Z.nxdomain, type: 'A' }, intended: CACHED },
  { title: 'cluster NXDOMAIN hit', query: { name: Z.nxdomain, type: 'A' }, intended: CACHED },
  { title: 'cluster NODATA', query: { name: Z.v6only, type: 'A' }, intended: CACHED },
  { title: 'pod A', query: { name: Z.pod, type: 'A' }, intended: CACHED },
  { title: 'reverse PTR', query: { name: Z.reverseKubeDns, type: 'PTR' }, intended: CACHED },
  {
    title: 'reverse PTR hit',
    query: { name: Z.reverseKubeDns, type: 'PTR', proto: 'tcp' },
    intended: CACHED,
  },
  // ip6.arpa: knot has no zone and refuses; the refusal is relayed, never cached.
  {
    title: 'ip6.arpa refused',
    query: { name: '1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.', type: 'PTR' },
    intended: ['upstream-ede'],
  },
  { title: 'external A', query: { name: Z.externalWww, type: 'A' }, intended: CACHED },
  { title: 'external A hit', query: { name: Z.externalWww, type: 'A' }, intended: CACHED },
  { title: 'external MX', query: { name: 'example.test.', type: 'MX' }, intended: CACHED },
  { title: 'external wildcard', query: { name: 'x.example.test.', type: 'A' }, intended: CACHED },
  {
    title: 'second bind address',
    query: { name: Z.kubeDns, type: 'A', host: '127.0.0.2' },
    intended: CACHED,
  },
  { title: 'cluster A, later', query: { name: Z.kubeDns, type: 'A' }, intended: CACHED },
];

let knot: Knot;
let pair: Pair;

before(async () => {
  knot = await startUpstreamKnot();
  const template = await readFile(join(REPO_ROOT, 'test/fixtures/kube-sample.Corefile'), 'utf8');
  // Loopback stands in for the link-local IP (127.0.0.1) and the kube-dns ClusterIP (127.0.0.2).
  const fill = (p: Ports): string =>
    template
      .replaceAll('__PILLAR__DNS__DOMAIN__', 'cluster.local')
      .replaceAll('__PILLAR__LOCAL__DNS__:8080', `127.0.0.1:${p.health}`)
      .replaceAll('__PILLAR__LOCAL__DNS__', '127.0.0.1')
      .replaceAll('__PILLAR__DNS__SERVER__', '127.0.0.2')
      .replaceAll('__PILLAR__CLUSTER__DNS__', `127.0.0.1:${knot.port}`)
      .replaceAll('__PILLAR__UPSTREAM__SERVERS__', `127.0.0.1:${knot.port}`)
      .replaceAll(':53 {', `:${p.dns} {`)
      .replaceAll('prometheus :9253', `prometheus 127.0.0.1:${p.metrics}`);
  pair = await startPair(fill);
});

after(async () => {
  await pair?.stop();
  await knot?.stop();
});

it('answers the sample Corefile as node-cache does, up to the intended differences', async () => {
  const outcomes = await runCases(pair, CASES);
  const left = unintended(CASES, outcomes, (id) => INTENDED[id]?.keys ?? []);
  assert.deepEqual(left, [], `unintended differences:\n${left.join('\n')}\n${serverLogs(pair)}`);
  assert.deepEqual(
    unobserved(CASES, outcomes, (id) => INTENDED[id]?.keys ?? []),
    [],
  );
  assert.equal(await healthStatus(pair.reference), 200);
  assert.equal(await healthStatus(pair.candidate), 200);
});
