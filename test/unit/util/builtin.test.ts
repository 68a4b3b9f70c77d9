import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

/** Built-ins Node has loaded in a fresh process after `script` ran (process.moduleLoadList). */
function loadedAfter(script: string): string[] {
  const probe = `${script}
const names = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
process.stdout.write(JSON.stringify(names));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

describe('built-ins only some Corefiles need', () => {
  it('are not loaded with the agent and every plugin', () => {
    const loaded = loadedAfter(
      `await import(${JSON.stringify(`${SRC}node/agent.ts`)});
await import(${JSON.stringify(`${SRC}plugins/registry.ts`)});`,
    );
    assert.ok(loaded.includes('net'), 'the probe sees what the agent loads');
    for (const name of ['tls', '_tls_wrap', 'inspector/promises', 'https', 'http2']) {
      assert.ok(!loaded.includes(name), `${name} loaded at startup`);
    }
  });

  it('load on first use: a forward to a tls:// upstream loads node:tls', () => {
    const loaded = loadedAfter(
      `const { parseCorefile } = await import(${JSON.stringify(`${SRC}corefile/parse.ts`)});
const { DirectiveReader } = await import(${JSON.stringify(`${SRC}corefile/model.ts`)});
const { parseForward } = await import(${JSON.stringify(`${SRC}plugins/forward/setup.ts`)});
const { ForwardHandler } = await import(${JSON.stringify(`${SRC}plugins/forward/forward.ts`)});
const { createLogger } = await import(${JSON.stringify(`${SRC}util/log.ts`)});
const corefile = '. {\\n forward . tls://127.0.0.1:853 {\\n  tls_servername dns.test\\n }\\n}\\n';
const directive = parseCorefile(corefile, 'Corefile').blocks[0].directives[0];
const before = process.moduleLoadList.includes('NativeModule tls');
const fwd = new ForwardHandler(parseForward(new DirectiveReader(directive)), createLogger(() => {}), { name: 'end', serveDNS: () => 2 });
if (before) throw new Error('node:tls was loaded before the forward was built');
fwd.close();`,
    );
    assert.ok(loaded.includes('tls'));
  });
});
