// Reloads are serialised: concurrent requests (the reload plugin, the node agent's ConfigMap
// sync) never run App.load at the same time, requests made while one runs collapse into one
// follow-up, and the config that ends up live is the last one asked for.

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { until } from '../helpers/wait.ts';
import { startAgent } from './agent-harness.ts';
import { answers, ask } from './ask.ts';

const corefile = (address: string): string =>
  `example.:0 {\n bind 127.0.0.1\n template IN A example. {\n  answer "{{ .Name }} 60 IN A ${address}"\n }\n}\n`;

it('runs one reload at a time and the last request wins', async (t) => {
  const agent = await startAgent(t, corefile('192.0.2.1'));
  // Count loads in progress at once by wrapping App.load.
  const app = agent.app as unknown as { load: (s: unknown) => Promise<void> };
  const load = app.load.bind(app);
  let active = 0;
  let mostAtOnce = 0;
  let loads = 0;
  // The first load is held until every request is made, so all four overlap it for certain.
  let openGate = (): void => {};
  const gate = new Promise<void>((r) => {
    openGate = r;
  });
  app.load = async (source) => {
    active++;
    loads++;
    mostAtOnce = Math.max(mostAtOnce, active);
    try {
      await gate;
      await load(source);
    } finally {
      active--;
    }
  };
  const requests = [
    agent.app.reload(corefile('192.0.2.2')),
    agent.app.reload(corefile('192.0.2.3')),
    agent.app.reload(corefile('192.0.2.4')),
    agent.app.reload(corefile('192.0.2.5')),
  ];
  await until('the first load started', () => loads === 1);
  openGate();
  await Promise.all(requests);
  assert.equal(mostAtOnce, 1);
  assert.equal(loads, 2, 'the first request runs, the three later ones share one follow-up');
  assert.deepEqual(answers(await ask(agent.port, 'www.example.')), ['192.0.2.5']);
});

it('a failed reload does not block the queued one, and each caller learns its outcome', async (t) => {
  const agent = await startAgent(t, corefile('192.0.2.1'));
  const broken = agent.app.reload('example.:0 {\n no_such_plugin\n}\n');
  const good = agent.app.reload(corefile('192.0.2.9'));
  await assert.rejects(broken);
  await good;
  assert.deepEqual(answers(await ask(agent.port, 'www.example.')), ['192.0.2.9']);
});
