// Parsing forward's tls:// upstreams and its `tls` / `tls_servername` options with real PEM
// files (made by openssl): ports, which upstreams use TLS, what each `tls` form loads, and the
// config errors for files that are missing, not PEM, or a key that does not match.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CorefileError } from '../../../../src/corefile/errors.ts';
import { forwardConfig } from '../../../integration/forward-support/harness.ts';
import { makeTlsFiles, SERVER_NAME } from '../../../integration/forward-support/tls-certs.ts';

const files = makeTlsFiles();
after(() => files.cleanup());
const notPem = join(files.dir, 'not.pem');
writeFileSync(notPem, 'nameserver 127.0.0.1\n');
const resolvConf = join(files.dir, 'resolv.conf');
writeFileSync(resolvConf, 'nameserver 127.0.0.7\n');

test('tls:// upstreams default to port 853 and are marked; plain ones are not', () => {
  const c = forwardConfig(
    `forward . tls://127.0.0.1 tls://[::1]:8853 127.0.0.2 dns://127.0.0.3 tls://${resolvConf}`,
  );
  assert.deepEqual(
    c.to.map((t) => [t.label, t.tls]),
    [
      ['127.0.0.1:853', true],
      ['[::1]:8853', true],
      ['127.0.0.2:53', false],
      ['127.0.0.3:53', false],
      ['127.0.0.7:853', true],
    ],
  );
  assert.deepEqual(c.tls, {}, 'no options: system CAs, no client certificate, no server name');
});

test('each `tls` form loads its files; tls_servername applies before or after it', () => {
  const ca = readFileSync(files.caCert);
  const cert = readFileSync(files.clientCert);
  const key = readFileSync(files.clientKey);
  const one = forwardConfig(`forward . tls://127.0.0.1 {\ntls ${files.caCert}\n}`).tls;
  assert.deepEqual(one, { ca });
  const two = forwardConfig(
    `forward . tls://127.0.0.1 {\ntls_servername ${SERVER_NAME}\ntls ${files.clientCert} ${files.clientKey}\n}`,
  ).tls;
  assert.deepEqual(two, { cert, key, serverName: SERVER_NAME });
  const three = forwardConfig(
    `forward . tls://127.0.0.1 {\ntls ${files.clientCert} ${files.clientKey} ${files.caCert}\n}`,
  ).tls;
  assert.deepEqual(three, { cert, key, ca });
});

test('bad TLS files are config errors at the option line', () => {
  const cases: [string, RegExp][] = [
    [`tls ${notPem} ${files.clientKey}`, /^Corefile:3 - plugin\/forward: tls: /],
    // The server's key with the client's certificate.
    [`tls ${files.clientCert} ${files.serverKey}`, /^Corefile:3 - plugin\/forward: tls: .*key/i],
    ['tls /nonexistent/cert.pem /nonexistent/key.pem', /could not read certificate/],
  ];
  for (const [option, message] of cases) {
    assert.throws(
      () => forwardConfig(`forward . tls://127.0.0.1 {\n${option}\n}`),
      (err: unknown) => err instanceof CorefileError && err.line === 3 && message.test(err.message),
      option,
    );
  }
});
