// forward's `tls [CERT KEY [CA]] | [CA]` and `tls_servername NAME` options (CoreDNS
// plugin/forward/setup.go and pkg/tls NewTLSConfigFromArgs). The files are read and checked when
// the Corefile is parsed, so a bad certificate is a config error with file:line, not a failed
// connection later.

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DirectiveReader } from '../../corefile/model.ts';
import type { TlsClientOptions } from '../../upstream/tls.ts';
import { nodeTls } from '../../util/builtin.ts';

/** `tls` arguments by count: none = system CAs, no client certificate. */
export function parseTlsOption(o: DirectiveReader): TlsClientOptions {
  const args = o.expectArgs(0, 3);
  const read = (path: string, what: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw o.error('ERR_COREFILE_VALUE', `tls: could not read ${what} '${path}': ${reason}`);
    }
  };
  // Node ignores a CA file with no certificate in it; Go refuses it ("failed to read root cert").
  const readCa = (path: string): Buffer => {
    const pem = read(path, 'CA');
    try {
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate');
      new X509Certificate(pem);
    } catch (err) {
      throw o.error(
        'ERR_COREFILE_VALUE',
        `tls: failed to read root cert '${path}': ${(err as Error).message}`,
      );
    }
    return pem;
  };
  let options: TlsClientOptions;
  if (args.length === 0) options = {};
  else if (args.length === 1) options = { ca: readCa(args[0] as string) };
  else {
    const cert = read(args[0] as string, 'certificate');
    const key = read(args[1] as string, 'key');
    options = args.length === 3 ? { cert, key, ca: readCa(args[2] as string) } : { cert, key };
  }
  try {
    nodeTls().createSecureContext(options); // throws on a bad PEM or a key that does not match
  } catch (err) {
    throw o.error('ERR_COREFILE_VALUE', `tls: ${(err as Error).message}`);
  }
  return options;
}

export function parseTlsServerName(o: DirectiveReader): string {
  o.expectNoBlock();
  const name = o.expectArgs(1)[0] as string;
  if (name === '') throw o.error('ERR_COREFILE_VALUE', 'tls_servername: empty name');
  return name;
}
