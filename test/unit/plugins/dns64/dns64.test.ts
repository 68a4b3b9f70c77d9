import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { it } from 'node:test';
import type { Handler, Request, ResponseWriter } from '../../../../src/chain/handler.ts';
import { buildErrorReply, buildQuery } from '../../../../src/dns/build.ts';
import { Rcode, RRType } from '../../../../src/dns/constants.ts';
import { nameToWire } from '../../../../src/dns/name.ts';
import { scanQuery } from '../../../../src/dns/query.ts';
import { Dns64Handler } from '../../../../src/plugins/dns64/dns64.ts';
import { parseDns64 } from '../../../../src/plugins/dns64/setup.ts';
import { parseLine } from '../setup-table.ts';

const sink: ResponseWriter = {
  written: false,
  rcode: -1,
  size: 0,
  reply: undefined,
  write() {},
};

it('stamps its A query with the time it sends it, not the client packet arrival', async () => {
  let answerAaaa: () => void = () => {};
  let aaaaAnsweredAt = Number.NaN;
  let aReceivedAt = Number.NaN;
  // Stands in for the cache and forward below dns64: AAAA is answered NODATA later (an upstream
  // round trip), A at once; it records when the A query says it arrived.
  const next: Handler = {
    name: 'next',
    serveDNS(req, w) {
      if (req.query.qtype === RRType.A) {
        aReceivedAt = req.receivedAt;
        w.write(buildErrorReply(req.query, Rcode.NOERROR), 'next');
        return Rcode.NOERROR;
      }
      return new Promise((resolve) => {
        answerAaaa = () => {
          aaaaAnsweredAt = performance.now();
          w.write(buildErrorReply(req.query, Rcode.NOERROR), 'next');
          resolve(Rcode.NOERROR);
        };
      });
    },
  };
  const dns64 = new Dns64Handler(next, parseLine('dns64', parseDns64), { translated() {} });
  const req: Request = {
    query: scanQuery(buildQuery(7, nameToWire('v4only.test.'), RRType.AAAA)),
    transport: 'udp',
    remoteAddress: 'fd00::1',
    remotePort: 5353,
    family: 2,
    server: 'dns://[fd00::53]:53',
    zone: '.',
    receivedAt: performance.now() - 1000, // the client's packet came in a second ago
    sizeLimit: 512,
  };
  const outcome = dns64.serveDNS(req, sink);
  answerAaaa();
  await outcome;
  assert.ok(Number.isFinite(aReceivedAt), 'dns64 asked for the A record');
  assert.ok(
    aReceivedAt >= aaaaAnsweredAt,
    `A query stamped ${aaaaAnsweredAt - aReceivedAt} ms before the AAAA answer came`,
  );
});
