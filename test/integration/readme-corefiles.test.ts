// Every Corefile example in every plugin README must load and serve (CoreDNS's readme_test).
// Examples listen on 127.0.0.1:1053 and forward to 127.0.0.1:1054; the test moves the listener
// to port 0 and points 1054 at a scripted upstream, and puts file paths in a temp folder.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startApp } from '../../src/app.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { query } from '../helpers/client.ts';
import { startFakeUpstream } from '../helpers/fake-upstream.ts';
import { REPO_ROOT } from '../helpers/fixtures.ts';
import { buildResponse, rr } from '../helpers/rr.ts';

const pluginsDir = join(REPO_ROOT, 'src', 'plugins');
const examples: Array<{ plugin: string; corefile: string }> = [];
for (const plugin of (await readdir(pluginsDir, { withFileTypes: true }))
  .filter((d) => d.isDirectory())
  .map((d) => d.name)) {
  const text = await readFile(join(pluginsDir, plugin, 'README.md'), 'utf8').catch(() => '');
  for (const m of text.matchAll(/^(~~~|```) ?corefile\n([\s\S]*?)^\1$/gm))
    examples.push({ plugin, corefile: m[2] ?? '' });
}

it('finds a Corefile example in every plugin README', async () => {
  const plugins = (await readdir(pluginsDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  for (const plugin of plugins)
    assert.ok(
      examples.some((e) => e.plugin === plugin),
      `src/plugins/${plugin}/README.md has no corefile example`,
    );
});

for (const [i, { plugin, corefile }] of examples.entries()) {
  it(`starts the ${plugin} README example #${i + 1}`, async (t) => {
    const upstream = await startFakeUpstream((q) =>
      buildResponse({
        query: q.wire,
        ownerCase: 'query',
        answer: [rr(`${q.qname || 'x.'} 60 IN A 192.0.2.1`)],
      }),
    );
    t.after(() => upstream.stop());
    const dir = await mkdtemp(join(tmpdir(), 'nld-readme-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const text = corefile
      .replaceAll('127.0.0.1:1054', upstream.address)
      .replace(/:1053\b/g, ':0')
      .replace(/\/tmp\/([\w.-]+)/g, (_m, file: string) => join(dir, file))
      .replace(/(localhost|127\.0\.0\.1):(8080|8181|9153|9253)\b/g, '127.0.0.1:0');
    const app = await startApp({ corefileText: text, log: memoryLogger(), drainMs: 200 });
    t.after(() => app.stop());
    await app.serving;
    const listener = app.listeners().find((l) => l.host === '127.0.0.1');
    assert.ok(listener, 'the example listens on 127.0.0.1');
    const reply = await query({
      host: '127.0.0.1',
      port: listener.port,
      proto: 'udp',
      name: 'readme.example.test.',
    });
    assert.ok(reply.length >= 12);
  });
}
