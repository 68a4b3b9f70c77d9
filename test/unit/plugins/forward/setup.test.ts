// Parsing `forward` lines: a table of positive rows (with the config they give) and negative rows
// (with the error code, the line and the message), after CoreDNS's forward/setup_test.go.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CorefileError } from '../../../../src/corefile/errors.ts';
import { DirectiveReader } from '../../../../src/corefile/model.ts';
import { parseCorefile } from '../../../../src/corefile/parse.ts';
import type { ForwardConfig } from '../../../../src/plugins/forward/config.ts';
import { parseForward } from '../../../../src/plugins/forward/setup.ts';

const dir = mkdtempSync(join(tmpdir(), 'nld-forward-setup-'));
const resolvConf = join(dir, 'resolv.conf');
writeFileSync(
  resolvConf,
  '# test\nsearch svc.cluster.local\nnameserver 127.0.0.53\nnameserver fe80::1%eth0 ; zone dropped\noptions ndots:5\n',
);
const emptyResolv = join(dir, 'empty.conf');
writeFileSync(emptyResolv, 'search example.org\n');
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The forward line sits on line 2 of the Corefile. */
function parse(body: string): ForwardConfig {
  const corefile = parseCorefile(`. {\n${body}\n}\n`, 'Corefile');
  const directive = corefile.blocks[0]?.directives[0];
  if (directive === undefined) throw new Error('no directive');
  return parseForward(new DirectiveReader(directive));
}

const positive: [string, Partial<ForwardConfig> & { toLabels?: string[] }][] = [
  [
    'forward . 127.0.0.1',
    { from: '.', toLabels: ['127.0.0.1:53'], policy: 'random', maxFails: 2, expireMs: 10_000 },
  ],
  [
    'forward . 127.0.0.1:5353 [::1]:53 ::1 dns://127.0.0.2',
    { toLabels: ['127.0.0.1:5353', '[::1]:53', '[::1]:53', '127.0.0.2:53'] },
  ],
  ['forward Example.ORG 127.0.0.1', { from: 'example.org.' }],
  ['forward dns://example.org:53 127.0.0.1', { from: 'example.org.' }],
  ['forward 10.9.3.0/18 127.0.0.1', { from: '0.9.10.in-addr.arpa.' }],
  ['forward 10.0.0.0/8 127.0.0.1', { from: '10.in-addr.arpa.' }],
  [
    'forward . 127.0.0.1 {\nexcept miek.nl example.ORG\n}',
    { except: ['miek.nl.', 'example.org.'] },
  ],
  ['forward . 127.0.0.1 {\nforce_tcp\nprefer_udp\n}', { forceTcp: true, preferUdp: true }],
  ['forward . 127.0.0.1 {\nexpire 1m30s\nmax_fails 0\n}', { expireMs: 90_000, maxFails: 0 }],
  ['forward . 127.0.0.1 {\nexpire 0\n}', { expireMs: 0 }],
  [
    'forward . 127.0.0.1 {\nhealth_check 5s\n}',
    { healthCheck: { intervalMs: 5000, recursionDesired: true, domain: '.' } },
  ],
  [
    'forward . 127.0.0.1 {\nhealth_check 500ms no_rec domain Example.org\n}',
    { healthCheck: { intervalMs: 500, recursionDesired: false, domain: 'example.org.' } },
  ],
  ['forward . 127.0.0.1 {\npolicy round_robin\n}', { policy: 'round_robin' }],
  ['forward . 127.0.0.1 {\npolicy sequential\n}', { policy: 'sequential' }],
  ['forward . 127.0.0.1 {\nmax_concurrent 1000\n}', { maxConcurrent: 1000 }],
  ['forward . 127.0.0.1 {\nnext NXDOMAIN servfail\n}', { next: [3, 2] }],
  ['forward . 127.0.0.1 {\nfailover ServFail REFUSED\n}', { failover: [2, 5] }],
  [
    'forward . 127.0.0.1 {\nfailfast_all_unhealthy_upstreams\nmax_connect_attempts 3\n}',
    { failfastAllUnhealthyUpstreams: true, maxConnectAttempts: 3 },
  ],
  [`forward . ${resolvConf}`, { toLabels: ['127.0.0.53:53', '[fe80::1]:53'] }],
  [
    `forward . ${resolvConf} 127.0.0.9:54`,
    { toLabels: ['127.0.0.53:53', '[fe80::1]:53', '127.0.0.9:54'] },
  ],
  [`forward . ${Array.from({ length: 15 }, (_, i) => `127.0.0.${i + 1}`).join(' ')}`, {}],
];

test('positive forward lines', () => {
  for (const [body, want] of positive) {
    const got = parse(body);
    const { toLabels, ...fields } = want;
    if (toLabels !== undefined)
      assert.deepEqual(
        got.to.map((a) => a.label),
        toLabels,
        body,
      );
    for (const [key, value] of Object.entries(fields))
      assert.deepEqual(got[key as keyof ForwardConfig], value, `${body}: ${key}`);
  }
});

/** [body, code, line, message pattern] — the forward line is line 2; its options follow. */
const negative: [string, string, number, RegExp][] = [
  ['forward .', 'ERR_COREFILE_ARGS', 2, /wrong argument count/],
  ['forward', 'ERR_COREFILE_ARGS', 2, /wrong argument count/],
  [
    'forward . https://dns.example/dns-query',
    'ERR_COREFILE_VALUE',
    2,
    /'https' is not supported as a destination protocol in forward/,
  ],
  ['forward . grpc://127.0.0.1', 'ERR_COREFILE_VALUE', 2, /'grpc' is not supported/],
  ['forward . dns://', 'ERR_COREFILE_VALUE', 2, /invalid address/],
  ['forward . not-an-ip', 'ERR_COREFILE_VALUE', 2, /not an IP address or file: "not-an-ip"/],
  ['forward . 127.0.0.1:99999', 'ERR_COREFILE_VALUE', 2, /not an IP address or file/],
  ['forward . /nonexistent/resolv.conf', 'ERR_COREFILE_VALUE', 2, /not an IP address or file/],
  [`forward . ${emptyResolv}`, 'ERR_COREFILE_VALUE', 2, /no nameservers found/],
  [
    `forward . ${Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 1}`).join(' ')}`,
    'ERR_COREFILE_VALUE',
    2,
    /more than 15 TOs configured: 16/,
  ],
  [
    `forward . ${Array.from({ length: 14 }, (_, i) => `127.0.0.${i + 1}`).join(' ')} ${resolvConf}`,
    'ERR_COREFILE_VALUE',
    2,
    /more than 15 TOs configured: 16/,
  ],
  ['forward 10.0.0.0/33 127.0.0.1', 'ERR_COREFILE_VALUE', 2, /unable to normalize '10.0.0.0\/33'/],
  ['forward . 127.0.0.1 {\nexcept\n}', 'ERR_COREFILE_ARGS', 3, /except: wrong argument count/],
  [
    'forward . 127.0.0.1 {\nforce_tcp yes\n}',
    'ERR_COREFILE_ARGS',
    3,
    /force_tcp: wrong argument count/,
  ],
  ['forward . 127.0.0.1 {\nprefer_udp 1\n}', 'ERR_COREFILE_ARGS', 3, /prefer_udp/],
  ['forward . 127.0.0.1 {\nexpire\n}', 'ERR_COREFILE_ARGS', 3, /expire: wrong argument count/],
  ['forward . 127.0.0.1 {\nexpire 10\n}', 'ERR_COREFILE_VALUE', 3, /expire: invalid duration '10'/],
  [
    'forward . 127.0.0.1 {\nexpire -1s\n}',
    'ERR_COREFILE_VALUE',
    3,
    /expire can't be negative: -1s/,
  ],
  [
    'forward . 127.0.0.1 {\nhealth_check -1s\n}',
    'ERR_COREFILE_VALUE',
    3,
    /health_check can't be negative/,
  ],
  [
    'forward . 127.0.0.1 {\nhealth_check 1s foo\n}',
    'ERR_COREFILE_VALUE',
    3,
    /health_check: unknown option foo/,
  ],
  [
    'forward . 127.0.0.1 {\nhealth_check 1s domain\n}',
    'ERR_COREFILE_ARGS',
    3,
    /health_check: domain needs a name/,
  ],
  [
    'forward . 127.0.0.1 {\nhealth_check 1s domain a..b\n}',
    'ERR_COREFILE_VALUE',
    3,
    /health_check: invalid domain name a..b/,
  ],
  [
    'forward . 127.0.0.1 {\nmax_fails -1\n}',
    'ERR_COREFILE_VALUE',
    3,
    /max_fails: invalid unsigned integer/,
  ],
  ['forward . 127.0.0.1 {\nmax_fails 4294967296\n}', 'ERR_COREFILE_VALUE', 3, /max_fails/],
  [
    'forward . 127.0.0.1 {\nmax_connect_attempts x\n}',
    'ERR_COREFILE_VALUE',
    3,
    /max_connect_attempts/,
  ],
  [
    'forward . 127.0.0.1 {\npolicy weighted\n}',
    'ERR_COREFILE_VALUE',
    3,
    /unknown policy 'weighted'/,
  ],
  [
    'forward . 127.0.0.1 {\nmax_concurrent -1\n}',
    'ERR_COREFILE_VALUE',
    3,
    /max_concurrent can't be negative: -1/,
  ],
  [
    'forward . 127.0.0.1 {\nmax_concurrent lots\n}',
    'ERR_COREFILE_VALUE',
    3,
    /max_concurrent: invalid integer/,
  ],
  ['forward . 127.0.0.1 {\nnext\n}', 'ERR_COREFILE_ARGS', 3, /next: wrong argument count/],
  ['forward . 127.0.0.1 {\nnext NOPE\n}', 'ERR_COREFILE_VALUE', 3, /NOPE is not a valid rcode/],
  [
    'forward . 127.0.0.1 {\nfailover NOERROR\n}',
    'ERR_COREFILE_VALUE',
    3,
    /NoError cannot be used in failover/,
  ],
  [
    'forward . 127.0.0.1 {\nfailover BOGUS\n}',
    'ERR_COREFILE_VALUE',
    3,
    /BOGUS is not a valid rcode/,
  ],
  [
    'forward . 127.0.0.1 {\nfailfast_all_unhealthy_upstreams now\n}',
    'ERR_COREFILE_ARGS',
    3,
    /failfast_all_unhealthy_upstreams/,
  ],
  [
    'forward . tls://127.0.0.1 {\ntls a b c d\n}',
    'ERR_COREFILE_ARGS',
    3,
    /tls: wrong argument count/,
  ],
  [
    'forward . tls://127.0.0.1 {\ntls /nonexistent/ca.pem\n}',
    'ERR_COREFILE_VALUE',
    3,
    /tls: could not read CA '\/nonexistent\/ca.pem': ENOENT/,
  ],
  [
    `forward . tls://127.0.0.1 {\ntls ${resolvConf}\n}`,
    'ERR_COREFILE_VALUE',
    3,
    /tls: failed to read root cert '.*resolv.conf': no PEM certificate/,
  ],
  [
    'forward . tls://127.0.0.1 {\ntls_servername\n}',
    'ERR_COREFILE_ARGS',
    3,
    /tls_servername: wrong argument count/,
  ],
  [
    'forward . tls://127.0.0.1 {\nforce_tcp\ntls_servername a b\n}',
    'ERR_COREFILE_ARGS',
    4,
    /tls_servername: wrong argument count/,
  ],
  [
    'forward . 127.0.0.1 {\nforce_tcp\nbogus_option 1\n}',
    'ERR_COREFILE_SYNTAX',
    4,
    /unknown property 'bogus_option'/,
  ],
];

test('negative forward lines name the error code, the line and the problem', () => {
  for (const [body, code, line, message] of negative) {
    assert.throws(
      () => parse(body),
      (err: unknown) => {
        assert.ok(err instanceof CorefileError, `${body}: ${String(err)}`);
        assert.equal(err.code, code, body);
        assert.equal(err.line, line, body);
        assert.equal(err.file, 'Corefile', body);
        assert.match(err.message, message, body);
        assert.match(err.message, new RegExp(`^Corefile:${line} - plugin/forward: `), body);
        return true;
      },
      body,
    );
  }
});
