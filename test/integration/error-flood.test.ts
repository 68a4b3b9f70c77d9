// Log volume under an error flood, through the agent over real sockets: every query fails at
// once (the only upstream refuses connections) and the errors plugin may print at most its
// per-second budget; every line left out is counted in coredns_nodecache_errors_suppressed_total
// and a summary line says how many. No assertion on speed: the bound on printed lines grows
// with the time the flood took, so a slow machine only makes the check weaker, never flaky.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Rcode } from '../../src/dns/constants.ts';
import { DEFAULT_LINES_PER_SECOND } from '../../src/plugins/errors/budget.ts';
import { query } from '../helpers/client.ts';
import { inspect } from '../helpers/inspect.ts';
import { udpBurst } from '../helpers/udp-burst.ts';
import { startAgent } from './agent-harness.ts';
import { deadPort } from './forward-support/upstream.ts';
import { parseExposition, until, value } from './observe-helpers.ts';

const HOST = '127.0.0.1';
const FLOOD = 1000;

it('prints at most its budget of error lines per second during a flood and counts the rest', async (t) => {
  const port = await deadPort();
  const agent = await startAgent(
    t,
    `example.:0 {\n bind ${HOST}\n errors\n forward . 127.0.0.1:${port} {\n  force_tcp\n }\n}\n`,
  );
  const suppressed = () =>
    value(
      parseExposition(agent.app.services.renderMetrics()),
      'coredns_nodecache_errors_suppressed_total',
    );
  const floodLines = () => agent.lines.filter((l) => /flood\d+\.example\./.test(l));

  const started = Date.now();
  const rcodes = await udpBurst(t, HOST, agent.port, FLOOD, (id) => `flood${id}.example.`);
  await until('every flood query answered', () => rcodes.size === FLOOD, 60_000);
  const seconds = Math.ceil((Date.now() - started) / 1000);
  assert.ok([...rcodes.values()].every((c) => c === Rcode.SERVFAIL));

  // Every failure is either printed or counted, and the printed ones stay within the budget.
  const printed = floodLines().length;
  assert.equal(printed + suppressed(), FLOOD, `${printed} printed, ${suppressed()} counted`);
  assert.ok(
    printed <= DEFAULT_LINES_PER_SECOND * (seconds + 1),
    `${printed} lines in ${seconds} s, budget ${DEFAULT_LINES_PER_SECOND}/s`,
  );
  assert.ok(suppressed() > 0, 'the budget was reached');

  // The next failure after the window says how many were left out.
  await until(
    'the summary line',
    async () => {
      await query({ host: HOST, port: agent.port, proto: 'udp', name: 'after.example.' });
      return agent.lines.some((l) => /\d+ error lines left out in the last second/.test(l));
    },
    10_000,
  );
  assert.equal(agent.lines.join('\n').includes('    at '), false, 'no stack traces');
  assert.equal(
    inspect(await query({ host: HOST, port: agent.port, proto: 'udp', name: 'still.example.' }))
      .rcode,
    Rcode.SERVFAIL,
    'still serving',
  );
});
