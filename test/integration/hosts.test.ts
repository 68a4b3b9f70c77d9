// hosts over real sockets: inline entries and a file, NODATA / SERVFAIL as CoreDNS, PTR, the
// fallthrough to forward, and a change to the file picked up by the reload check.

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { buildResponse, rr } from '../helpers/rr.ts';
import { startAgent } from './agent-harness.ts';
import { answers, ask } from './ask.ts';
import { get, httpPort, parseExposition, until, value } from './observe-helpers.ts';

it('answers from inline entries and a re-read file, with CoreDNS NODATA/SERVFAIL rules', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nld-hosts-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'hosts');
  await writeFile(file, '# comment\n10.1.1.1 file.example.org\n');
  const upstream = await startFakeUpstream((q) =>
    buildResponse({ query: q.wire, answer: [rr(`${q.qname} 30 IN A 192.0.2.9`)] }),
  );
  t.after(() => upstream.stop());
  const agent = await startAgent(
    t,
    `.:0 {
  bind 127.0.0.1
  prometheus 127.0.0.1:0
  hosts ${file} example.org {
    10.0.0.1 a.example.org
    fd00::1 a.example.org
    10.0.0.2 a.example.org alias.example.org
    ttl 60
    reload 100ms
  }
}
example.net:0 {
  bind 127.0.0.1
  hosts ${join(dir, 'absent')} {
    10.9.9.9 known.example.net
    fallthrough
  }
  forward . ${upstream.address}
}
`,
  );
  const port = agent.port;
  const a = await ask(port, 'A.Example.org', 'A');
  assert.equal(a.status, 'NOERROR');
  assert.ok(a.flags.includes('aa'));
  assert.deepEqual(answers(a), ['10.0.0.1', '10.0.0.2']);
  assert.deepEqual(
    a.answer.map((r) => [r.name, r.ttl]),
    [
      ['a.example.org.', 60],
      ['a.example.org.', 60],
    ],
  );
  assert.equal(a.question?.name, 'A.Example.org.', 'the question keeps the client case');
  assert.deepEqual(answers(await ask(port, 'a.example.org', 'AAAA')), ['fd00::1']);
  const nodata = await ask(port, 'alias.example.org', 'AAAA');
  assert.equal(nodata.status, 'NOERROR');
  assert.ok(nodata.flags.includes('aa'));
  assert.equal(nodata.answer.length, 0);
  assert.equal((await ask(port, 'a.example.org', 'MX')).answer.length, 0);
  assert.equal((await ask(port, 'nope.example.org', 'A')).status, 'SERVFAIL');
  assert.deepEqual(answers(await ask(port, '2.0.0.10.in-addr.arpa', 'PTR')), [
    'a.example.org.',
    'alias.example.org.',
  ]);
  const v6ptr = `1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa`;
  assert.deepEqual(answers(await ask(port, v6ptr, 'PTR')), ['a.example.org.']);
  assert.equal((await ask(port, '7.7.7.7.in-addr.arpa', 'PTR')).status, 'SERVFAIL');
  // Out of the plugin's zones: next plugin (none here, so SERVFAIL) — not from the file.
  assert.equal((await ask(port, 'outside.test', 'A')).status, 'SERVFAIL');
  assert.deepEqual(answers(await ask(port, 'file.example.org', 'A')), ['10.1.1.1']);
  // The file changes (a different size, so the check sees it even within one mtime tick).
  await writeFile(file, '10.2.2.2 file.example.org\n10.3.3.3 new.example.org\n');
  await until(
    'the new file content',
    async () => answers(await ask(port, 'new.example.org', 'A'))[0] === '10.3.3.3',
    10_000,
  );
  assert.deepEqual(answers(await ask(port, 'file.example.org', 'A')), ['10.2.2.2']);
  assert.deepEqual(answers(await ask(port, 'a.example.org', 'A')), ['10.0.0.1', '10.0.0.2']);

  // fallthrough: unknown names go on to forward, known ones do not.
  assert.deepEqual(answers(await ask(port, 'known.example.net', 'A')), ['10.9.9.9']);
  assert.deepEqual(answers(await ask(port, 'other.example.net', 'A')), ['192.0.2.9']);
  assert.equal(upstream.queries.length, 1);
  assert.equal(upstream.queries[0]?.qname, 'other.example.net.');

  // Entries of both hosts lines (addresses by name + names by address), after the re-read:
  // first block 8 inline + 4 from the file, second block 2.
  const metrics = parseExposition((await get(httpPort(agent.app, '127.0.0.1:0'), '/metrics')).body);
  assert.equal(value(metrics, 'coredns_hosts_entries'), 14);
  assert.ok(value(metrics, 'coredns_hosts_reload_timestamp_seconds') > 1.7e9);
});
