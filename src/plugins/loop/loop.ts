// Self-forward detection (CoreDNS plugin/loop): at startup send `HINFO <random>.<random>.<zone>`
// to the block's own first listen address; if that query comes back through this handler more
// than twice, the block forwards to itself. CoreDNS exits then, which with node-cache's rules
// installed black-holes the node's DNS; here the block answers SERVFAIL from then on (which
// also ends the loop), /ready reports `loop`, and every other block keeps serving.

import { randomBytes } from 'node:crypto';

import type { Handler, Outcome, Request, ResponseWriter } from '../../chain/handler.ts';
import { PluginError } from '../../chain/handler.ts';
import { buildQuery } from '../../dns/build.ts';
import { Rcode, RRType } from '../../dns/constants.ts';
import { nameToWire } from '../../dns/name.ts';
import type { Logger } from '../../util/log.ts';
import { udpExchange } from '../../util/udp-exchange.ts';

/** CoreDNS's timings: 2 s per exchange, 1 s between tries, give up after 30 s. */
export const PROBE_TIMING = { exchangeMs: 2000, retryMs: 1000, giveUpMs: 30_000 };

/** `<n1>.<n2>.<zone>` with two random non-negative integers below 2^62. */
export function probeName(zone: string): string {
  const n = (): string => (randomBytes(8).readBigUInt64BE() >> 2n).toString();
  return `${n()}.${n()}.${zone === '.' ? '' : zone}`;
}

export class LoopHandler implements Handler {
  readonly name = 'loop';
  readonly zone: string;
  readonly probe: string;
  readonly #next: Handler;
  readonly #log: Logger;
  /** Lower-cased wire name of the probe, as it starts a query key. */
  readonly #probeKey: string;
  #seen = 0;
  /** True while the probe is out and no reply came back yet. */
  #probing = true;
  #detected = false;
  #stopped = false;

  constructor(next: Handler, zone: string, log: Logger, name = probeName(zone)) {
    this.#next = next;
    this.zone = zone;
    this.probe = name;
    this.#log = log;
    this.#probeKey = Buffer.from(nameToWire(name)).toString('latin1');
  }

  get detected(): boolean {
    return this.#detected;
  }

  /** Not ready while the probe is out (at most 30 s) or once a loop was found. */
  ready(): boolean {
    return !this.#probing && !this.#detected;
  }

  serveDNS(req: Request, w: ResponseWriter): Outcome {
    if (this.#detected) {
      throw new PluginError(
        'loop',
        Rcode.SERVFAIL,
        `forwarding loop detected for zone "${this.zone}"`,
      );
    }
    const q = req.query;
    if (
      this.#probing &&
      q.qtype === RRType.HINFO &&
      q.qnameLength === this.#probeKey.length &&
      q.key.startsWith(this.#probeKey)
    ) {
      if (++this.#seen > 2) {
        this.#detected = true;
        this.#log.error(
          `Loop (${req.remoteAddress}:${req.remotePort} -> ${req.server}) detected for zone "${this.zone}", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO ${this.probe}". Not exiting: this block now answers SERVFAIL, /ready reports not ready, other blocks keep serving.`,
        );
        throw new PluginError(
          'loop',
          Rcode.SERVFAIL,
          `forwarding loop detected for zone "${this.zone}"`,
        );
      }
    }
    return this.#next.serveDNS(req, w);
  }

  /** Sends the probe until some reply comes back or 30 s pass. */
  async run(host: string, port: number): Promise<void> {
    const target = host === '' ? '127.0.0.1' : host;
    const deadline = performance.now() + PROBE_TIMING.giveUpMs;
    while (!this.#stopped && performance.now() < deadline) {
      if (await exchange(target, port, this.probe, PROBE_TIMING.exchangeMs)) break;
      await new Promise((r) => setTimeout(r, PROBE_TIMING.retryMs));
    }
    this.#probing = false;
  }

  stop(): void {
    this.#stopped = true;
  }
}

/** One HINFO exchange over UDP; true when any reply with the same ID arrived. */
function exchange(host: string, port: number, name: string, timeoutMs: number): Promise<boolean> {
  return udpExchange(
    host,
    port,
    buildQuery(randomBytes(2).readUInt16BE(), nameToWire(name), RRType.HINFO),
    timeoutMs,
  );
}
