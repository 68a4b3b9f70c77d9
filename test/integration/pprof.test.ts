// pprof over real HTTP on loopback: the index with event-loop and GC figures, a CPU profile that
// Chrome DevTools could open, a heap snapshot, the bad-request answers, and a DNS server that
// keeps answering while a profile is taken.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RRType } from '../../src/dns/constants.ts';
import { query } from '../helpers/client.ts';
import { startAgent } from './agent-harness.ts';
import { get, httpPort } from './observe-helpers.ts';

const COREFILE = `.:0 {
  bind 127.0.0.1
  pprof 127.0.0.1:0
  hosts {
    192.0.2.9 prof.example
  }
}
`;

/** The agent still answers DNS: prof.example's A record from `hosts`. */
async function assertAnswers(port: number): Promise<void> {
  const reply = await query({
    host: '127.0.0.1',
    port,
    proto: 'udp',
    name: 'prof.example.',
    type: RRType.A,
    timeoutMs: 5000,
  });
  assert.deepEqual([...reply.subarray(reply.length - 4)], [192, 0, 2, 9]);
}

test('/debug/pprof/ reports event-loop delay and GC figures', async (t) => {
  const agent = await startAgent(t, COREFILE);
  const port = httpPort(agent.app, '127.0.0.1:0');
  // Make some garbage so a GC entry is likely; the figures must be there either way.
  for (let i = 0; i < 20; i++) new Array(100_000).fill(i);
  const { status, body } = await get(port, '/debug/pprof/');
  assert.equal(status, 200);
  const index = JSON.parse(body) as {
    endpoints: Record<string, string>;
    eventLoopDelayMs: Record<string, number>;
    gc: Record<string, { count: number }>;
    memory: { heapUsed: number };
  };
  assert.ok('/debug/pprof/heap' in index.endpoints);
  for (const key of ['min', 'mean', 'p50', 'p99', 'max'])
    assert.equal(typeof index.eventLoopDelayMs[key], 'number', key);
  assert.ok(Object.values(index.eventLoopDelayMs).every((v) => v >= 0));
  assert.equal(typeof index.gc, 'object');
  assert.ok(index.memory.heapUsed > 0);
  assert.equal((await get(port, '/debug/pprof')).status, 200, 'without the trailing slash too');
});

test('a CPU profile over 1 s while DNS keeps answering', async (t) => {
  const agent = await startAgent(t, COREFILE);
  const port = httpPort(agent.app, '127.0.0.1:0');
  const profiling = get(port, '/debug/pprof/profile?seconds=1', 10_000);
  await assertAnswers(agent.port);
  const { status, body } = await profiling;
  assert.equal(status, 200);
  const profile = JSON.parse(body) as {
    nodes: { callFrame: { functionName: string } }[];
    startTime: number;
    endTime: number;
    samples: number[];
  };
  assert.ok(profile.nodes.length > 0);
  const spanSeconds = (profile.endTime - profile.startTime) / 1e6; // microseconds
  assert.ok(spanSeconds >= 0.9 && spanSeconds < 5, `profile spans ${spanSeconds} s`);
  assert.ok(Array.isArray(profile.samples));
});

/** Bytes sampled per function name, over the whole .heapprofile tree. */
function sampledBytesByFunction(node: HeapProfileNode, into = new Map<string, number>()) {
  const name = node.callFrame.functionName;
  into.set(name, (into.get(name) ?? 0) + node.selfSize);
  for (const child of node.children) sampledBytesByFunction(child, into);
  return into;
}

interface HeapProfileNode {
  callFrame: { functionName: string };
  selfSize: number;
  children: HeapProfileNode[];
}

test('an allocation profile over 1 s counts garbage that is already collected', async (t) => {
  const agent = await startAgent(t, COREFILE);
  const port = httpPort(agent.app, '127.0.0.1:0');
  const profiling = get(port, '/debug/pprof/allocs?seconds=1', 10_000);
  // The agent runs in this process: garbage made here, and dropped at once, must show up.
  let sink: unknown;
  const makeShortLivedGarbage = (): void => {
    for (let i = 0; i < 200_000; i++) sink = { i, list: [i, i] };
  };
  // Sampling has started once a second request is refused as concurrent (the endpoint starts
  // the sampler in the same turn as it marks itself busy). Then make the garbage.
  for (let tries = 0; ; tries++) {
    const { status } = await get(port, '/debug/pprof/allocs?seconds=1');
    if (status === 409) break;
    assert.ok(tries < 50, `the profile never started (last status ${status})`);
  }
  makeShortLivedGarbage();
  await assertAnswers(agent.port);
  const { status, body } = await profiling;
  assert.equal(status, 200);
  assert.ok(sink !== undefined);
  const profile = JSON.parse(body) as { head: HeapProfileNode; samples: unknown[] };
  const bytes = sampledBytesByFunction(profile.head).get('makeShortLivedGarbage') ?? 0;
  // 200k objects of ~64 bytes are ~12 MiB, ~50 samples at one per 256 KiB on average.
  assert.ok(bytes > 2 * 1024 * 1024, `sampled ${bytes} bytes of the garbage`);
  assert.ok(profile.samples.length > 0);
});

test('bad profile requests get 400, a second concurrent one 409', async (t) => {
  const agent = await startAgent(t, COREFILE);
  const port = httpPort(agent.app, '127.0.0.1:0');
  for (const q of ['seconds=0', 'seconds=abc', 'seconds=100000']) {
    assert.equal((await get(port, `/debug/pprof/profile?${q}`)).status, 400, q);
    assert.equal((await get(port, `/debug/pprof/allocs?${q}`)).status, 400, q);
  }
  assert.equal(
    (await get(port, '/debug/pprof/allocs?seconds=61')).status,
    400,
    'allocs caps at 60',
  );
  // Two at once: whichever arrives first profiles for 3 s, the other is refused at once (only
  // an arrival more than 3 s after the first could be served too).
  const both = await Promise.all(
    [0, 1].map(() => get(port, '/debug/pprof/profile?seconds=3', 20_000)),
  );
  assert.deepEqual(both.map((r) => r.status).sort(), [200, 409]);
});

test('/debug/pprof/heap streams a V8 heap snapshot', async (t) => {
  const agent = await startAgent(t, COREFILE);
  const port = httpPort(agent.app, '127.0.0.1:0');
  const res = await fetch(`http://127.0.0.1:${port}/debug/pprof/heap`, {
    signal: AbortSignal.timeout(60_000),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-disposition') ?? '', /\.heapsnapshot/);
  // Read it all (bounded by the timeout), check the head of the JSON, do not parse the rest.
  const body = await res.text();
  assert.match(body.slice(0, 200), /^\{"snapshot":\{"meta":\{"node_fields":/);
  assert.ok(body.length > 100_000, `snapshot of ${body.length} bytes`);
});
