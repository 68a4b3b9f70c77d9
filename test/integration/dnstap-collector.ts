// Runs the dnstap tool of Debian's golang-github-dnstap-golang-dnstap-cli package (the reader
// CoreDNS's README points to) as the collector: on a unix socket (-u) or on 127.0.0.1 TCP (-l),
// printing each decoded message as one JSON line (-j).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { killAndWait } from '../helpers/knot.ts';
import { freePort } from '../helpers/ports.ts';
import { until } from './observe-helpers.ts';

export interface DecodedTap {
  readonly type: string;
  readonly identity?: string;
  readonly version?: string;
  readonly message: {
    readonly type: string;
    readonly socket_family?: string;
    readonly socket_protocol?: string;
    readonly query_address?: string;
    readonly query_port?: number;
    readonly query_time?: string;
    readonly response_time?: string;
    readonly query_message?: string;
    readonly response_message?: string;
  };
}

export interface Collector {
  /** `unix:///path` or `tcp://127.0.0.1:PORT`, as the Corefile names it. */
  readonly endpoint: string;
  /** Messages decoded so far. */
  messages(): DecodedTap[];
  output(): string;
  stop(): Promise<void>;
}

export async function startCollector(
  where: { unix: string } | { tcpPort?: number },
): Promise<Collector> {
  let args: string[];
  let endpoint: string;
  if ('unix' in where) {
    args = ['-u', where.unix];
    endpoint = `unix://${where.unix}`;
  } else {
    const port = where.tcpPort ?? (await freePort());
    args = ['-l', `127.0.0.1:${port}`];
    endpoint = `tcp://127.0.0.1:${port}`;
  }
  const child = spawn('/usr/bin/dnstap', [...args, '-j'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-20_000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => {});
  const stop = (): Promise<void> => killAndWait(child, exited);
  try {
    // It listens once a connect (closed at once, which the tool takes in its stride) succeeds:
    // the socket's state, not the tool's log.
    if ('unix' in where) {
      const path = where.unix;
      await until('the dnstap collector to listen', () => existsSync(path) && canConnect({ path }));
    } else {
      const port = Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
      await until('the dnstap collector to listen', () => canConnect({ host: '127.0.0.1', port }));
    }
  } catch (err) {
    await stop();
    throw new Error(`dnstap collector did not start: ${String(err)}\n${stderr}`);
  }
  const messages = (): DecodedTap[] =>
    stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as DecodedTap);
  return { endpoint, messages, output: () => `${stderr}\n${stdout}`, stop };
}

function canConnect(to: { path: string } | { host: '127.0.0.1'; port: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(to);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
