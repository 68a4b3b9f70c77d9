// The health-check probe (CoreDNS pkg/proxy/health.go): `<domain> IN NS` on a fresh socket, not
// the pool. Any DNS answer with our ID counts, whatever its rcode; only I/O errors and timeouts
// are failures.

import { buildQuery } from '../dns/build.ts';
import { RRType } from '../dns/constants.ts';
import { FrameReader, frame } from '../dns/framing.ts';
import { udpExchange } from '../util/udp-exchange.ts';
import type { UpstreamAddress } from './address.ts';
import { type Dialer, plainTcp } from './dial.ts';
import { parseAnswer } from './exchange.ts';
import { randomId } from './ids.ts';

export interface ProbeOptions {
  /** The probe name in wire form (`.` by default). */
  readonly domainWire: Uint8Array;
  readonly recursionDesired: boolean;
  readonly overTcp: boolean;
  /** Opens the stream connection when `overTcp` (plain TCP by default; TLS for tls:// upstreams). */
  readonly dialer?: Dialer;
  /** Read timeout (and UDP overall timeout), ms. */
  readonly timeoutMs: number;
  /** TCP connect timeout, ms. */
  readonly connectTimeoutMs: number;
}

/** Resolves true when the upstream answered the probe. Never rejects. */
export function probe(address: UpstreamAddress, options: ProbeOptions): Promise<boolean> {
  const id = randomId();
  const query = buildQuery(id, options.domainWire, RRType.NS, {
    recursionDesired: options.recursionDesired,
  });
  const isAnswer = (msg: Buffer): boolean =>
    msg.length >= 2 && msg.readUInt16BE(0) === id && parseAnswer(msg) !== undefined;
  return options.overTcp
    ? probeTcp(address, options, query, isAnswer)
    : probeUdp(address, options, query, isAnswer);
}

function probeUdp(
  address: UpstreamAddress,
  options: ProbeOptions,
  query: Buffer,
  isAnswer: (msg: Buffer) => boolean,
): Promise<boolean> {
  return udpExchange(address.host, address.port, query, options.timeoutMs, isAnswer);
}

function probeTcp(
  address: UpstreamAddress,
  options: ProbeOptions,
  query: Buffer,
  isAnswer: (msg: Buffer) => boolean,
): Promise<boolean> {
  return new Promise((resolve) => {
    const reader = new FrameReader();
    let done = false;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    let timer = setTimeout(() => finish(false), options.connectTimeoutMs);
    const socket = (options.dialer ?? plainTcp).dial(address, () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), options.timeoutMs);
      socket.write(frame(query));
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const msg of reader.push(chunk)) if (isAnswer(msg)) finish(true);
      } catch {
        finish(false);
      }
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}
