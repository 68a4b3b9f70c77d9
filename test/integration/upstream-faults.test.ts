// Upstream faults through the whole agent (cache in front of forward), one upstream that
// misbehaves on request: TCP frames cut short, connections reset, garbage and answers with the
// wrong ID over UDP, connections refused. For each: a cached name is still answered from the
// cache, an uncached one gets SERVFAIL within a bounded time, and once the upstream behaves
// again new names are answered with no restart or reload.

import assert from 'node:assert/strict';
import { it, type TestContext } from 'node:test';
import { Rcode } from '../../src/dns/constants.ts';
import { frame } from '../../src/dns/framing.ts';
import { query } from '../helpers/client.ts';
import { type Action, type FakeUpstream, startFakeUpstream } from '../helpers/fake-upstream.ts';
import { inspect } from '../helpers/inspect.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';

type Fault = 'truncated-frame' | 'reset' | 'garbage' | 'wrong-id';

/** The forward window is 5 s (CoreDNS); the bound is generous for a loaded machine. */
const SERVFAIL_WITHIN_MS = 12_000;

function answer(wire: Buffer): Buffer {
  return buildResponse({ query: wire, answer: [rr('x.example. 60 IN A 192.0.2.1')] });
}

function misbehave(fault: Fault, wire: Buffer): Action {
  const good = answer(wire);
  switch (fault) {
    case 'truncated-frame':
      // the length prefix announces the whole answer, half of it comes, then FIN
      return { kind: 'close', partial: frame(good).subarray(0, 2 + (good.length >> 1)) };
    case 'reset':
      return { kind: 'close', reset: true };
    case 'garbage':
      // the right ID, then bytes that are no DNS message
      return { kind: 'raw', bytes: Buffer.concat([good.subarray(0, 2), Buffer.alloc(40, 0xff)]) };
    case 'wrong-id': {
      const wrong = Buffer.from(good);
      wrong.writeUInt16BE((good.readUInt16BE(0) + 1) & 0xffff, 0);
      return { kind: 'raw', bytes: wrong };
    }
  }
}

async function rig(t: TestContext, transport: 'force_tcp' | 'prefer_udp') {
  let fault: Fault | undefined;
  const upstream = await startFakeUpstream((q) =>
    fault === undefined || q.qname === '.' ? answer(q.wire) : misbehave(fault, q.wire),
  );
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `example.:0 {\n bind 127.0.0.1\n cache 300\n forward . ${upstream.address} {\n  ${transport}\n }\n}\n`,
  );
  const ask = async (name: string, proto: 'udp' | 'tcp' = 'udp') => {
    const started = Date.now();
    const wire = await query({
      host: '127.0.0.1',
      port: agent.port,
      proto,
      name,
      timeoutMs: SERVFAIL_WITHIN_MS,
    });
    return { rcode: inspect(wire).rcode, ms: Date.now() - started };
  };
  return { upstream, ask, setFault: (f: Fault | undefined) => (fault = f) };
}

async function faultCycle(
  r: { upstream: FakeUpstream; ask: (n: string) => Promise<{ rcode: number; ms: number }> },
  setFault: (f: Fault | undefined) => void,
  fault: Fault,
): Promise<void> {
  assert.equal((await r.ask(`cached-${fault}.example.`)).rcode, Rcode.NOERROR);
  setFault(fault);
  const cached = await r.ask(`cached-${fault}.example.`);
  assert.equal(cached.rcode, Rcode.NOERROR, `${fault}: the cached name is still answered`);
  const before = r.upstream.count();
  const failed = await r.ask(`new-${fault}.example.`);
  assert.equal(failed.rcode, Rcode.SERVFAIL, `${fault}: an uncached name fails`);
  assert.ok(failed.ms < SERVFAIL_WITHIN_MS, `${fault}: SERVFAIL after ${failed.ms} ms`);
  assert.ok(r.upstream.count() > before, `${fault}: the upstream was asked`);
  setFault(undefined);
  const back = await r.ask(`back-${fault}.example.`);
  assert.equal(back.rcode, Rcode.NOERROR, `${fault}: answered again once the upstream is fixed`);
}

it('TCP frames cut short and reset connections: cached names answered, SERVFAIL bounded, recovery', async (t) => {
  const r = await rig(t, 'force_tcp');
  await faultCycle(r, r.setFault, 'truncated-frame');
  await faultCycle(r, r.setFault, 'reset');
});

it('garbage and wrong IDs over UDP: cached names answered, SERVFAIL bounded, recovery', async (t) => {
  const r = await rig(t, 'prefer_udp');
  await faultCycle(r, r.setFault, 'garbage');
  await faultCycle(r, r.setFault, 'wrong-id');
});

it('refused connections (upstream stopped) and its return on the same port', async (t) => {
  let upstream = await startFakeUpstream((q) => answer(q.wire));
  const port = upstream.port;
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `example.:0 {\n bind 127.0.0.1\n cache 300\n forward . ${upstream.address} {\n  force_tcp\n  health_check 100ms\n }\n}\n`,
  );
  const ask = async (name: string) =>
    inspect(
      await query({
        host: '127.0.0.1',
        port: agent.port,
        proto: 'udp',
        name,
        timeoutMs: SERVFAIL_WITHIN_MS,
      }),
    ).rcode;
  assert.equal(await ask('kept.example.'), Rcode.NOERROR);
  await upstream.stop();
  assert.equal(await ask('kept.example.'), Rcode.NOERROR, 'from the cache');
  assert.equal(await ask('refused.example.'), Rcode.SERVFAIL);
  upstream = await startFakeUpstream((q) => answer(q.wire), { port });
  assert.equal(await ask('returned.example.'), Rcode.NOERROR);
});
