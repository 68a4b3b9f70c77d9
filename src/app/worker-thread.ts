// A worker thread's entry (src/app/workers.ts starts it): a whole App on the Corefile text the
// main thread sent, with its own SO_REUSEPORT listeners, but no HTTP and none of the
// once-per-process work (AppServices.primary is false). It runs what the main thread asks:
// load a new Corefile, hand over its metrics, answer a ping, stop. Log lines go to the worker's
// stdout, which Node forwards to the process's stdout one write, so one whole line, at a time.

import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { type App, startApp } from '../app.ts';
import { createLogger } from '../util/log.ts';
import { PeerMesh } from './peers.ts';
import type { FromWorker, PeerPortMessage, ToWorker, WorkerInit } from './workers.ts';

const init = workerData as WorkerInit;
if (parentPort === null) throw new Error('worker-thread.ts runs only as a worker thread');
const port: MessagePort = parentPort;

const mesh = new PeerMesh(init.index, init.count);
for (const [peer, peerPort] of init.peers) mesh.connect(peer, peerPort);
const post = (message: FromWorker): void => port.postMessage(message);

// One listener from the start: a thread started after this one sends its port at any time,
// and what the main thread asks before the App is up waits for it.
let app: App | undefined;
const early: ToWorker[] = [];
port.on('message', (m: ToWorker | PeerPortMessage) => {
  if (m.type === 'peer') mesh.connect(m.peer, m.port);
  else if (app === undefined) early.push(m);
  else handle(app, m);
});

let ports = init.ports;
app = await startApp({
  listenPorts: () => ports,
  corefileText: init.text,
  corefileFile: init.file,
  dnsPort: init.dnsPort,
  drainMs: init.drainMs,
  ...(init.tcpLimits === undefined ? {} : { tcpLimits: init.tcpLimits }),
  log: createLogger({ settings: init.log }),
  primary: false,
  peers: mesh,
});
for (const m of early.splice(0)) handle(app, m);

function handle(running: App, m: ToWorker): void {
  void answer(running, m).then(
    (value) => post({ type: 'reply', id: m.id, value }),
    (err: unknown) =>
      post({ type: 'reply', id: m.id, error: err instanceof Error ? err.message : String(err) }),
  );
}

async function answer(running: App, m: ToWorker): Promise<unknown> {
  switch (m.type) {
    case 'load':
      ports = m.ports;
      await running.reload(m.text, m.file);
      return undefined;
    case 'metrics':
      return running.services.localFamilies();
    case 'ping':
      return undefined;
    case 'stop':
      await running.stop();
      // Nothing is left to wait for: let the thread end once the reply is out.
      setImmediate(() => port.close());
      return undefined;
  }
}

await app.serving;
post({ type: 'serving' });
