// A worker thread's entry (src/app/workers.ts starts it): a whole App on the Corefile text the
// main thread sent, with its own SO_REUSEPORT listeners, but no HTTP and none of the
// once-per-process work (AppServices.primary is false). It runs what the main thread asks:
// load a new Corefile, hand over its metrics, answer a ping, stop. Log lines go to the worker's
// stdout, which Node forwards to the process's stdout one write, so one whole line, at a time.

import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { startApp } from '../app.ts';
import { createLogger } from '../util/log.ts';
import type { FromWorker, ToWorker, WorkerInit } from './workers.ts';

const init = workerData as WorkerInit;
if (parentPort === null) throw new Error('worker-thread.ts runs only as a worker thread');
const port: MessagePort = parentPort;

let ports = init.ports;
const app = await startApp({
  listenPorts: () => ports,
  corefileText: init.text,
  corefileFile: init.file,
  dnsPort: init.dnsPort,
  drainMs: init.drainMs,
  ...(init.tcpLimits === undefined ? {} : { tcpLimits: init.tcpLimits }),
  log: createLogger({ settings: init.log }),
  primary: false,
});

const post = (message: FromWorker): void => port.postMessage(message);

port.on('message', (m: ToWorker) => {
  void answer(m).then(
    (value) => post({ type: 'reply', id: m.id, value }),
    (err: unknown) =>
      post({ type: 'reply', id: m.id, error: err instanceof Error ? err.message : String(err) }),
  );
});

async function answer(m: ToWorker): Promise<unknown> {
  switch (m.type) {
    case 'load':
      ports = m.ports;
      await app.reload(m.text, m.file);
      return undefined;
    case 'metrics':
      return app.services.localFamilies();
    case 'ping':
      return undefined;
    case 'stop':
      await app.stop();
      // Nothing is left to wait for: let the thread end once the reply is out.
      setImmediate(() => port.close());
      return undefined;
  }
}

await app.serving;
post({ type: 'serving' });
