// Endpoints listen only where configured: with `bind` and HTTP addresses given, every socket
// this test process listens on (read from `ss`, the kernel's view) is on those addresses, and
// nothing is on a wildcard address. Each test file runs in its own process, so the process's
// sockets are the agent's.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { it } from 'node:test';
import { Rcode } from '../../src/dns/constants.ts';
import { startAgent } from './agent-harness.ts';
import { ask } from './ask.ts';

/** Local addresses (`host:port`) of this process's listening TCP and bound UDP sockets. */
function ownSockets(): string[] {
  const out = execFileSync('ss', ['-H', '-l', '-t', '-u', '-n', '-p'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(`pid=${process.pid},`))
    .map((l) => l.trim().split(/\s+/)[4] ?? '');
}

it('DNS, metrics, health and ready listen on the configured loopback address only', async (t) => {
  const agent = await startAgent(
    t,
    `example.:0 {\n bind 127.0.0.1\n prometheus 127.0.0.1:0\n health 127.0.0.1:0\n ready 127.0.0.1:0\n template IN A example. {\n  answer "{{ .Name }} 60 IN A 192.0.2.1"\n }\n}\n`,
  );
  assert.equal((await ask(agent.port, 'www.example.')).rcode, Rcode.NOERROR);
  const sockets = ownSockets();
  assert.ok(sockets.includes(`127.0.0.1:${agent.port}`), sockets.join(' '));
  // DNS over UDP and TCP, and the HTTP listener the three share (one per `host:port`).
  assert.ok(sockets.length >= 3, sockets.join(' '));
  for (const s of sockets) assert.match(s, /^127\.0\.0\.1:\d+$/, `listening on ${s}`);
});

it('an IPv6 bind listens on ::1 only', async (t) => {
  const agent = await startAgent(
    t,
    `example.:0 {\n bind ::1\n template IN A example. {\n  answer "{{ .Name }} 60 IN A 192.0.2.1"\n }\n}\n`,
  );
  const sockets = ownSockets().filter((s) => s.endsWith(`:${agent.port}`));
  assert.equal(sockets.length, 2, `UDP and TCP: ${sockets.join(' ')}`);
  for (const s of sockets) assert.equal(s, `[::1]:${agent.port}`);
  // The other tests' agent is stopped; nothing else of this process listens anywhere else.
  for (const s of ownSockets()) assert.doesNotMatch(s, /^(0\.0\.0\.0|\*|\[::\]):/, s);
});
