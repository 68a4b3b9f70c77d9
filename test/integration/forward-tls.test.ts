// forward to tls:// upstreams against a real DNS-over-TLS server: Debian's unbound on loopback
// with a certificate from a throwaway CA. Checks verification (CA, server name), that UDP clients
// still go over TLS, connection reuse, client certificates, and the agent end to end.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { RRType } from '../../src/dns/constants.ts';
import { nameToWire } from '../../src/dns/name.ts';
import { upstreamAddress } from '../../src/upstream/address.ts';
import { probe } from '../../src/upstream/probe.ts';
import { TlsDialer } from '../../src/upstream/tls.ts';
import { query } from '../helpers/client.ts';
import { startAgent } from './agent-harness.ts';
import { FAST, makeForward, request, run } from './forward-support/harness.ts';
import { makeTlsFiles, SERVER_NAME, type TlsFiles } from './forward-support/tls-certs.ts';
import { startUnbound, type Unbound } from './forward-support/unbound.ts';
import { httpPort, scrape, until, value } from './observe-helpers.ts';

let files: TlsFiles;
let dot: Unbound;

before(async () => {
  files = makeTlsFiles();
  dot = await startUnbound({
    cert: files.serverCert,
    key: files.serverKey,
    records: ['a.example. 300 IN A 192.0.2.1', 'b.example. 300 IN A 192.0.2.2'],
  });
});

after(async () => {
  await dot?.stop();
  files?.cleanup();
});

/** The last 4 bytes of an A answer, as a dotted quad. */
function lastAddress(reply: Buffer): string {
  return [...reply.subarray(reply.length - 4)].join('.');
}

test('UDP clients are answered over one reused TLS connection, verified by CA and server name', async (t) => {
  const fwd = makeForward(
    `forward . tls://127.0.0.1:${dot.port} {\ntls ${files.caCert}\ntls_servername ${SERVER_NAME}\n}`,
  );
  t.after(() => fwd.close());
  for (let i = 0; i < 10; i++) {
    const name = i % 2 === 0 ? 'a.example.' : 'b.example.';
    const r = await run(fwd, request(name, { transport: 'udp' }));
    assert.equal(r.error, undefined, dot.log());
    assert.equal(r.rcode, 0);
    assert.equal(lastAddress(r.w.reply as Buffer), i % 2 === 0 ? '192.0.2.1' : '192.0.2.2');
  }
  const stats = fwd.upstreams[0]?.stats;
  assert.equal(stats?.connCacheMisses['tcp-tls'], 1, 'one TLS connection dialled');
  assert.equal(stats?.connCacheHits['tcp-tls'], 9, 'then reused');
  assert.equal(stats?.connCacheMisses.udp, 0, 'never UDP, though the client asked over UDP');
  assert.equal(stats?.connCacheMisses.tcp, 0);
  assert.equal(fwd.upstreams[0]?.tcpConnections, 1);
});

test('concurrent queries pipeline onto the TLS connections, each answer matched to its question', async (t) => {
  const fwd = makeForward(
    `forward . tls://127.0.0.1:${dot.port} {\ntls ${files.caCert}\ntls_servername ${SERVER_NAME}\n}`,
    { ...FAST, maxTcpConnections: 2 },
  );
  t.after(() => fwd.close());
  const names = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 'b.example.' : 'a.example.'));
  const results = await Promise.all(names.map((n) => run(fwd, request(n, { id: 9 }))));
  for (const [i, r] of results.entries()) {
    assert.equal(r.rcode, 0, String(r.error));
    const reply = r.w.reply as Buffer;
    assert.equal(reply.readUInt16BE(0), 9, 'client ID restored');
    assert.equal(lastAddress(reply), i % 3 === 0 ? '192.0.2.2' : '192.0.2.1');
  }
  const stats = fwd.upstreams[0]?.stats;
  assert.ok((stats?.connCacheMisses['tcp-tls'] ?? 0) <= 2, 'at most the cap of connections');
});

test('a certificate that does not match tls_servername, or an unknown CA, fails the query', async (t) => {
  const wrongName = makeForward(
    `forward . tls://127.0.0.1:${dot.port} {\ntls ${files.caCert}\ntls_servername other.test\nmax_fails 0\n}`,
  );
  // No CA given: the system CAs, which do not know our test CA.
  const systemCas = makeForward(`forward . tls://127.0.0.1:${dot.port} {\nmax_fails 0\n}`);
  t.after(() => {
    wrongName.close();
    systemCas.close();
  });
  for (const [fwd, why] of [
    [wrongName, /other\.test\. is not in the cert's altnames/],
    [systemCas, /unable to verify the first certificate/],
  ] as const) {
    const r = await run(fwd, request('a.example.'));
    assert.equal(r.w.written, false, 'nothing written');
    assert.equal(r.error?.rcode, 2, 'SERVFAIL');
    assert.match(String(r.error?.message), why);
  }
});

test('no tls_servername: the certificate is checked against the IP address', async (t) => {
  const fwd = makeForward(`forward . tls://127.0.0.1:${dot.port} {\ntls ${files.caCert}\n}`);
  t.after(() => fwd.close());
  const r = await run(fwd, request('a.example.'));
  assert.equal(r.rcode, 0, String(r.error));
});

test('`tls CERT KEY CA` loads a client certificate and still connects', async (t) => {
  const fwd = makeForward(
    `forward . tls://127.0.0.1:${dot.port} {\ntls ${files.clientCert} ${files.clientKey} ${files.caCert}\ntls_servername ${SERVER_NAME}\n}`,
  );
  t.after(() => fwd.close());
  const r = await run(fwd, request('b.example.'));
  assert.equal(r.rcode, 0, String(r.error));
  assert.equal(lastAddress(r.w.reply as Buffer), '192.0.2.2');
});

test('after expire closes the connection, the next one dials again', async (t) => {
  const fwd = makeForward(
    `forward . tls://127.0.0.1:${dot.port} {\ntls ${files.caCert}\ntls_servername ${SERVER_NAME}\nexpire 100ms\n}`,
  );
  t.after(() => fwd.close());
  assert.equal((await run(fwd, request('a.example.'))).rcode, 0);
  const upstream = fwd.upstreams[0];
  await until('the idle TLS connection to close', () => upstream?.tcpConnections === 0);
  assert.equal((await run(fwd, request('a.example.'))).rcode, 0);
  assert.equal(upstream?.stats.connCacheMisses['tcp-tls'], 2);
});

test('the agent answers through a tls:// upstream end to end, counted under proto tcp-tls', async (t) => {
  const agent = await startAgent(
    t,
    `.:0 {\n  bind 127.0.0.1\n  prometheus 127.0.0.1:0\n  forward . tls://127.0.0.1:${dot.port} {\n    tls ${files.caCert}\n    tls_servername ${SERVER_NAME}\n  }\n}\n`,
  );
  for (const proto of ['udp', 'tcp'] as const) {
    const reply = await query({
      host: '127.0.0.1',
      port: agent.port,
      proto,
      name: 'a.example.',
      type: RRType.A,
      timeoutMs: 3000,
    });
    assert.equal((reply[3] as number) & 0x0f, 0, proto);
    assert.equal(lastAddress(reply), '192.0.2.1', proto);
  }
  const e = await scrape(httpPort(agent.app, '127.0.0.1:0'));
  const to = { to: `127.0.0.1:${dot.port}` };
  assert.equal(value(e, 'coredns_proxy_conn_cache_misses_total', { ...to, proto: 'tcp-tls' }), 1);
  assert.equal(value(e, 'coredns_proxy_conn_cache_hits_total', { ...to, proto: 'tcp-tls' }), 1);
  assert.equal(value(e, 'coredns_proxy_conn_cache_misses_total', { ...to, proto: 'udp' }), 0);
});

test('the health probe of a tls:// upstream goes over TLS', async () => {
  const address = upstreamAddress('127.0.0.1', dot.port);
  const base = {
    domainWire: nameToWire('.'),
    recursionDesired: true,
    overTcp: true,
    timeoutMs: 1000,
    connectTimeoutMs: 1000,
  };
  const dialer = new TlsDialer({ ca: readFileSync(files.caCert), serverName: SERVER_NAME });
  assert.equal(await probe(address, { ...base, dialer }), true, 'answered over TLS');
  // The same port spoken to in plain TCP gets no DNS answer: the probe really used TLS.
  assert.equal(await probe(address, base), false, 'plain TCP to the TLS port fails');
  const wrong = new TlsDialer({ ca: readFileSync(files.caCert), serverName: 'other.test' });
  assert.equal(await probe(address, { ...base, dialer: wrong }), false, 'unverified: failure');
});
