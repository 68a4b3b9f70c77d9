// Debian's unbound as a real DNS-over-TLS server on 127.0.0.1: in the foreground, from its own
// temp dir, answering only from local-data. Every name outside the local data gets an NXDOMAIN
// from the static root zone, so unbound never sends a query anywhere.

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RRType } from '../../../src/dns/constants.ts';
import { query } from '../../helpers/client.ts';
import { killAndWait } from '../../helpers/knot.ts';
import { freePort } from '../../helpers/ports.ts';

export interface Unbound {
  readonly port: number;
  log(): string;
  stop(): Promise<void>;
}

export interface UnboundOptions {
  readonly cert: string;
  readonly key: string;
  /** local-data lines, e.g. `a.example. 300 IN A 192.0.2.1`. */
  readonly records: readonly string[];
}

function config(dir: string, port: number, o: UnboundOptions): string {
  const data = o.records.map((r) => `  local-data: "${r}"`).join('\n');
  return `server:
  interface: 127.0.0.1@${port}
  port: ${port}
  tls-port: ${port}
  tls-service-key: "${o.key}"
  tls-service-pem: "${o.cert}"
  do-daemonize: no
  use-syslog: no
  logfile: ""
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: ""
  num-threads: 1
  do-ip6: no
  access-control: 127.0.0.0/8 allow
  module-config: "iterator"
  auto-trust-anchor-file: ""
  local-zone: "." static
  # Belt and braces: no address may be queried, so nothing can leave even by mistake.
  do-not-query-address: 0.0.0.0/0
  do-not-query-address: ::/0
  local-zone: "example." static
${data}
remote-control:
  control-enable: no
`;
}

/** Starts unbound; its TLS and plain UDP share the port, and readiness is a UDP answer. */
export async function startUnbound(o: UnboundOptions): Promise<Unbound> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(o, await freePort());
    } catch (err) {
      lastError = err; // most likely the port was taken meanwhile
    }
  }
  throw lastError;
}

async function startOnce(o: UnboundOptions, port: number): Promise<Unbound> {
  const dir = await mkdtemp(join(tmpdir(), 'nld-unbound-'));
  const conf = join(dir, 'unbound.conf');
  await writeFile(conf, config(dir, port, o));
  const child = spawn('/usr/sbin/unbound', ['-d', '-c', conf], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (s: string): void => {
    output = (output + s).slice(-20_000);
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);
  let dead = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      dead = true;
      resolve();
    }),
  );
  child.once('error', () => {}); // surfaces as `dead` below
  const stop = async (): Promise<void> => {
    await killAndWait(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  // Bounded by time, generous for a loaded machine; a ready unbound answers the first query.
  const deadline = performance.now() + 30_000;
  while (!dead && performance.now() < deadline) {
    try {
      const name = 'ready.invalid.';
      await query({ host: '127.0.0.1', port, proto: 'udp', name, type: RRType.A, timeoutMs: 100 });
      return { port, log: () => output, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await stop();
  throw new Error(
    `unbound on 127.0.0.1@${port} not ready (${dead ? 'exited' : 'timed out'}):\n${output}`,
  );
}
