// A forward line naming a resolv.conf (`forward . /etc/resolv.conf`, node-cache's upstream for
// `.`) when that file is missing or empty. As in CoreDNS the file is read when the Corefile is
// loaded: at start the agent refuses the config with the reason (the node agent exits and is
// restarted); at a reload the running config keeps serving with the servers it read, the
// failure is counted in coredns_reload_failed_total, and a reload once the file is back works.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it, type TestContext } from 'node:test';
import { startApp } from '../../src/app.ts';
import { Rcode } from '../../src/dns/constants.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';
import { ask } from './ask.ts';
import { parseExposition, value } from './observe-helpers.ts';

async function files(t: TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'nld-resolv-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const resolv = join(dir, 'resolv.conf');
  // resolv.conf servers are on port 53, so the file's server (127.0.0.1:53) comes second
  // behind the fake upstream with `policy sequential`: no query goes there while that answers.
  const corefile = (upstream: string): string =>
    `example.:0 {\n bind 127.0.0.1\n cache 300\n forward . ${upstream} ${resolv} {\n  policy sequential\n }\n}\n`;
  return { resolv, corefile };
}

it('at start, a missing or empty resolv.conf is refused with the reason', async (t) => {
  const { resolv, corefile } = await files(t);
  const start = () =>
    startApp({ corefileText: corefile('127.0.0.1:5399'), log: memoryLogger(), drainMs: 0 });
  await assert.rejects(start(), new RegExp(`not an IP address or file: "${resolv}"`));
  await writeFile(resolv, '# nameservers removed\nsearch cluster.local\n');
  await assert.rejects(start(), new RegExp(`no nameservers found in ${resolv}`));
});

it('at a reload, a missing or empty resolv.conf keeps the running config, counted; its return reloads', async (t) => {
  const { resolv, corefile } = await files(t);
  await writeFile(resolv, 'nameserver 127.0.0.1\n');
  const upstream = await startFakeUpstream((q) =>
    buildResponse({ query: q.wire, answer: [rr(`${q.qname} 60 IN A 192.0.2.4`)] }),
  );
  t.after(() => upstream.stop());
  const text = corefile(upstream.address);
  const agent = await startAgent(t, text);
  const failed = () =>
    value(parseExposition(agent.app.services.renderMetrics()), 'coredns_reload_failed_total');
  assert.equal((await ask(agent.port, 'cached.example.')).rcode, Rcode.NOERROR);

  await rm(resolv);
  await assert.rejects(agent.app.reload(text), /not an IP address or file/);
  assert.equal(failed(), 1);
  assert.equal((await ask(agent.port, 'cached.example.')).rcode, Rcode.NOERROR);
  const before = upstream.count();
  assert.equal((await ask(agent.port, 'uncached.example.')).rcode, Rcode.NOERROR);
  assert.equal(upstream.count(), before + 1, 'the running config still forwards');

  await writeFile(resolv, '');
  await assert.rejects(agent.app.reload(text), /no nameservers found/);
  assert.equal(failed(), 2);
  assert.equal((await ask(agent.port, 'still.example.')).rcode, Rcode.NOERROR);

  await writeFile(resolv, 'nameserver 127.0.0.1\n');
  await agent.app.reload(text);
  assert.equal(failed(), 2);
  assert.equal((await ask(agent.port, 'after.example.')).rcode, Rcode.NOERROR);
});
