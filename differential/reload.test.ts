// reload: both servers watch their Corefile (`reload 2s 1s`, CoreDNS's shortest interval) and
// pick up the same edit; loop is in the block and neither sees a loop. The answer comes from
// template, so no upstream is needed. Runs only where ../shared/anchors exists (.ci/run).

import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { query } from '../test/helpers/client.ts';
import { inspect } from '../test/helpers/inspect.ts';
import { type CorefileFor, type Pair, type Side, serverLogs, startPair } from './pair.ts';

const corefile =
  (address: string): CorefileFor =>
  (p) =>
    `reload.test:${p.dns} {
    bind 127.0.0.1
    reload 2s 1s
    loop
    template IN A reload.test {
        answer "{{ .Name }} 60 IN A ${address}"
    }
}
`;

let pair: Pair;

before(async () => {
  pair = await startPair(corefile('192.0.2.1'));
});

after(async () => {
  await pair?.stop();
});

async function answer(side: Side): Promise<string | undefined> {
  const reply = await query({
    host: '127.0.0.1',
    port: side.ports.dns,
    proto: 'udp',
    name: 'x.reload.test.',
    type: 'A',
  });
  return inspect(reply).answer[0]?.data;
}

/** Polls (at most 60 times, about 12 s) until the side answers `want`. */
async function waitForAnswer(side: Side, want: string): Promise<void> {
  let last: string | undefined;
  for (let i = 0; i < 60; i++) {
    last = await answer(side).catch(() => undefined);
    if (last === want) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${side.name} still answers ${last}, not ${want}\n${serverLogs(pair)}`);
}

it('both pick up the same Corefile edit through reload', async () => {
  assert.equal(await answer(pair.reference), '192.0.2.1');
  assert.equal(await answer(pair.candidate), '192.0.2.1');
  await pair.reference.writeCorefile(corefile('192.0.2.2'));
  await pair.candidate.writeCorefile(corefile('192.0.2.2'));
  await Promise.all([
    waitForAnswer(pair.reference, '192.0.2.2'),
    waitForAnswer(pair.candidate, '192.0.2.2'),
  ]);
});
