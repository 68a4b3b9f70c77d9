// forward's max_concurrent through a started agent over real sockets: past the cap a miss is
// REFUSED at once (CoreDNS's answer) and counted in coredns_forward_max_concurrent_rejects_total,
// the queries in flight are answered when the upstream is, and the cap frees up afterwards.

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { it } from 'node:test';
import { Rcode } from '../../src/dns/constants.ts';
import { buildTestQuery, messageId } from '../helpers/client.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';
import { ask } from './ask.ts';
import { parseExposition, until, value } from './observe-helpers.ts';

const HOST = '127.0.0.1';
const CAP = 5;
const SENT = 20;

it('max_concurrent: past the cap misses are REFUSED at once and counted; the rest are answered', async (t) => {
  let release = (): void => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  const upstream = await startFakeUpstream(async (q) => {
    if (q.qname.startsWith('held')) await released;
    return buildResponse({ query: q.wire, answer: [rr(`${q.qname} 60 IN A 192.0.2.8`)] });
  });
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `example.:0 {\n bind ${HOST}\n forward . ${upstream.address} {\n  max_concurrent ${CAP}\n  force_tcp\n }\n}\n`,
  );
  const rejects = () =>
    value(
      parseExposition(agent.app.services.renderMetrics()),
      'coredns_forward_max_concurrent_rejects_total',
    );
  const sock = createSocket('udp4');
  t.after(() => sock.close());
  const rcodes = new Map<number, number>();
  sock.on('message', (msg) => rcodes.set(messageId(msg), (msg[3] as number) & 0xf));
  await new Promise<void>((r) => sock.bind(0, HOST, r));
  for (let id = 0; id < SENT; id++)
    sock.send(buildTestQuery({ id, name: `held${id}.example.` }), agent.port, HOST);
  await until('the queries past the cap refused', () => rejects() === SENT - CAP);
  await until('their answers received', () => rcodes.size === SENT - CAP);
  assert.ok([...rcodes.values()].every((c) => c === Rcode.REFUSED));
  release();
  await until('the held queries answered', () => rcodes.size === SENT);
  const noerror = [...rcodes.values()].filter((c) => c === Rcode.NOERROR).length;
  assert.equal(noerror, CAP);
  assert.equal((await ask(agent.port, 'after.example.')).rcode, Rcode.NOERROR, 'the cap is free');
  assert.equal(rejects(), SENT - CAP);
});
