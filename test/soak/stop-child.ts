// Child process for stop-under-resets.test.ts: the App in-process, forwarding with force_tcp to
// the upstream given in argv[2]. Prints `PORT <n>`; on a line on stdin it stops the App, closes
// stdin, and prints `STOPPED <cpu µs>`; when the event loop has nothing left it prints
// `EMPTY <ms since stop> <cpu µs since stop>` and exits by itself. Anything left open (a socket,
// a ref'd timer) keeps it alive; a spinning loop shows as CPU time.

import { startApp } from '../../src/app.ts';
import { memoryLogger } from '../../src/util/log.ts';

const upstream = process.argv[2];
if (upstream === undefined) throw new Error('usage: stop-child.ts HOST:PORT');
const corefile = `.:0 {
    bind 127.0.0.1
    forward . ${upstream} {
        force_tcp
        health_check 100ms
    }
}
`;
const app = await startApp({ corefileText: corefile, log: memoryLogger(), drainMs: 300 });
await app.serving;
process.stdout.write(`PORT ${app.listeners()[0]?.port}\n`);
process.stdin.once('data', () => {
  process.stdin.destroy();
  void app.stop().then(() => {
    const stoppedAt = performance.now();
    const cpu = process.cpuUsage();
    process.stdout.write(`STOPPED ${cpu.user + cpu.system}\n`);
    process.on('exit', () => {
      const used = process.cpuUsage(cpu);
      process.stdout.write(
        `EMPTY ${Math.round(performance.now() - stoppedAt)} ${used.user + used.system}\n`,
      );
    });
  });
});
