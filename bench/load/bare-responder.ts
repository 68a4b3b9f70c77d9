// The floor for any Node DNS server: answers every UDP or TCP query with one pre-built reply,
// only the client's ID patched in. No parsing, no cache, no allocation beyond the reply copy
// (a send buffer must not be reused before its callback, so each reply gets its own copy).
//
//   node bench/load/bare-responder.ts --port 5300 [--host 127.0.0.1]
// Prints "ready <port>" once both sockets listen; exits on SIGTERM/SIGINT.

import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { FrameReader } from '../../src/dns/framing.ts';
import { buildTestQuery } from '../../test/helpers/client.ts';
import { assertLoopback } from '../../test/helpers/ports.ts';
import { buildResponse } from '../../test/helpers/rr.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
const host = values.host;
assertLoopback(host);

const TEMPLATE = buildResponse({
  query: buildTestQuery({ name: 'bare.bench.test.', type: 'A', id: 0 }),
  flags: { aa: true },
  answer: [{ name: 'bare.bench.test.', ttl: 3600, type: 'A', address: '192.0.2.1' }],
  compress: true,
});

function replyFor(query: Buffer): Buffer {
  const out = Buffer.allocUnsafe(TEMPLATE.length);
  TEMPLATE.copy(out);
  out[0] = query[0] as number;
  out[1] = query[1] as number;
  return out;
}

// The same send-side shortcut as the agent's listener (src/server/udp.ts): client addresses are
// IP literals, so no dns.lookup per reply. A floor should have every trick the agent has.
const udp = createSocket({
  type: 'udp4',
  lookup: (hostname, _options, callback) => callback(null, hostname, 4),
});
udp.on('message', (msg, rinfo) => {
  if (msg.length >= 2) udp.send(replyFor(msg), rinfo.port, rinfo.address);
});

const tcp = createServer((sock) => {
  sock.setNoDelay(true);
  sock.on('error', () => sock.destroy());
  const reader = new FrameReader();
  sock.on('data', (chunk: Buffer) => {
    let frames: Buffer[];
    try {
      frames = reader.push(chunk);
    } catch {
      sock.destroy();
      return;
    }
    for (const q of frames) {
      if (q.length < 2) continue;
      const out = Buffer.allocUnsafe(TEMPLATE.length + 2);
      out.writeUInt16BE(TEMPLATE.length, 0);
      TEMPLATE.copy(out, 2);
      out[2] = q[0] as number;
      out[3] = q[1] as number;
      sock.write(out);
    }
  });
});

udp.bind(Number(values.port), host, () => {
  const port = udp.address().port;
  tcp.listen(port, host, () => process.stdout.write(`ready ${port}\n`));
});

const shutdown = (): void => {
  udp.close();
  tcp.close();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
