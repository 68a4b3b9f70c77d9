// The Corefile of Kubernetes' sample nodelocaldns.yaml, placeholders filled by hand (the node
// agent's templating has its own tests), served in front of a real knot: cluster.local and
// the reverse zones over force_tcp, everything else over the client's transport to the
// resolv.conf upstream.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { startApp } from '../../src/app.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { dig } from '../helpers/dig.ts';
import { REPO_ROOT } from '../helpers/fixtures.ts';
import {
  CLUSTER_ZONE,
  EXTERNAL_ZONE,
  REVERSE_ZONE,
  startKnot,
  ZONE_DATA,
} from '../helpers/knot.ts';
import { freePort } from '../helpers/ports.ts';

it('serves the Kubernetes sample Corefile in front of knot', async (t) => {
  const cluster = await startKnot({
    zones: { 'cluster.local': CLUSTER_ZONE, '10.in-addr.arpa': REVERSE_ZONE },
  });
  t.after(() => cluster.stop());
  const external = await startKnot({ zones: { 'example.test': EXTERNAL_ZONE } });
  t.after(() => external.stop());
  const [dnsPort, metricsPort, healthPort] = [await freePort(), await freePort(), await freePort()];
  // Loopback stands in for the link-local IP (127.0.0.1) and the kube-dns ClusterIP (127.0.0.2).
  const template = await readFile(join(REPO_ROOT, 'test/fixtures/kube-sample.Corefile'), 'utf8');
  const corefile = template
    .replaceAll('__PILLAR__DNS__DOMAIN__', 'cluster.local')
    .replaceAll('__PILLAR__LOCAL__DNS__:8080', `127.0.0.1:${healthPort}`)
    .replaceAll('__PILLAR__LOCAL__DNS__', '127.0.0.1')
    .replaceAll('__PILLAR__DNS__SERVER__', '127.0.0.2')
    .replaceAll('__PILLAR__CLUSTER__DNS__', `127.0.0.1:${cluster.port}`)
    // A resolv.conf path would mean port 53; the external knot listens elsewhere.
    .replaceAll('__PILLAR__UPSTREAM__SERVERS__', `127.0.0.1:${external.port}`)
    .replaceAll(':53 {', `:${dnsPort} {`)
    .replaceAll('prometheus :9253', `prometheus 127.0.0.1:${metricsPort}`);
  const app = await startApp({
    corefileText: corefile,
    log: memoryLogger(),
  });
  t.after(() => app.stop());
  await app.serving;
  assert.deepEqual(
    app
      .listeners()
      .map((l) => `${l.host}:${l.port}`)
      .sort(),
    [`127.0.0.1:${dnsPort}`, `127.0.0.2:${dnsPort}`],
  );

  const ask = (server: string, ...args: string[]) =>
    dig([`@${server}`, '-p', String(dnsPort), ...args]);
  for (const server of ['127.0.0.1', '127.0.0.2']) {
    assert.equal((await ask(server, ZONE_DATA.kubeDns)).answer[0]?.data, ZONE_DATA.kubeDnsV4);
    assert.equal((await ask(server, '-x', ZONE_DATA.kubeDnsV4)).answer[0]?.data, ZONE_DATA.kubeDns);
    assert.equal(
      (await ask(server, ZONE_DATA.externalWww)).answer[0]?.data,
      ZONE_DATA.externalWwwV4,
    );
    assert.equal((await ask(server, ZONE_DATA.nxdomain, '+tcp')).status, 'NXDOMAIN');
  }
  // ip6.arpa has no zone on the upstream: knot refuses, and the agent passes that on.
  assert.equal((await ask('127.0.0.1', '-x', '2001:db8::1')).status, 'REFUSED');

  const health = await fetch(`http://127.0.0.1:${healthPort}/health`);
  assert.equal(health.status, 200);
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  assert.match(
    metrics,
    /coredns_dns_requests_total\{[^}]*proto="tcp",server="dns:\/\/127\.0\.0\.2:\d+",type="A",view="",zone="cluster\.local\."\} 1/,
  );
  // Each name was asked on both addresses: the second ask of every cluster name was a hit.
  assert.match(
    metrics,
    /coredns_cache_hits_total\{server="dns:\/\/127\.0\.0\.1:\d+",type="success",view="",zones="cluster\.local\."\} 1\n/,
  );
});
