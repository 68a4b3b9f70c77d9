// App.stop() while a reload is under way (the soak reloads every few seconds; the node agent's
// ConfigMap sync, the reload plugin and SIGUSR1 all reload at any time). The reload used to
// finish after stop had closed everything and bind its new listener and start its config, which
// nothing stopped: the process stayed alive after stop() resolved. Now stop waits for it and
// closes what it made, and a reload asked for after stop began is skipped.

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { it } from 'node:test';
import { startApp } from '../../src/app.ts';
import { memoryLogger } from '../../src/util/log.ts';
import { freePort } from '../helpers/ports.ts';

const block = (port: number | string, address: string): string => `.:${port} {
    bind 127.0.0.1
    hosts {
        ${address} x.test
    }
}
`;

/** True when nothing holds 127.0.0.1:port, UDP or TCP (we can bind both without SO_REUSEPORT). */
async function portFree(port: number): Promise<boolean> {
  const udp = createSocket('udp4');
  const udpOk = await new Promise<boolean>((resolve) => {
    udp.once('error', () => resolve(false));
    udp.bind({ port, address: '127.0.0.1', exclusive: true }, () => resolve(true));
  });
  udp.close();
  const tcp = createServer();
  const tcpOk = await new Promise<boolean>((resolve) => {
    tcp.once('error', () => resolve(false));
    tcp.listen(port, '127.0.0.1', () => resolve(true));
  });
  await new Promise<void>((resolve) => (tcpOk ? tcp.close(() => resolve()) : resolve()));
  return udpOk && tcpOk;
}

it('a reload under way when stop is called is closed by stop', async () => {
  const added = await freePort();
  const first = block(0, '10.0.0.1');
  const app = await startApp({ corefileText: first, log: memoryLogger(), drainMs: 100 });
  await app.serving;
  // The reload adds a listener; stop is called while it binds.
  const reloading = app.reload(first + block(added, '10.0.0.2'));
  await app.stop();
  await reloading;
  assert.deepEqual(app.listeners(), []);
  assert.ok(await portFree(added), `127.0.0.1:${added} is still bound after stop`);
});

it('a reload asked for after stop began is skipped', async () => {
  const added = await freePort();
  const first = block(0, '10.0.0.1');
  const log = memoryLogger();
  const app = await startApp({ corefileText: first, log, drainMs: 100 });
  await app.serving;
  const stopping = app.stop();
  await app.reload(first + block(added, '10.0.0.2'));
  await stopping;
  assert.deepEqual(app.listeners(), []);
  assert.ok(await portFree(added), `127.0.0.1:${added} is still bound after stop`);
  assert.ok(log.lines.some((l) => l.includes('reload skipped: shutting down')));
});
