// HTTP listen addresses as the Corefile writes them: `host:port`, `[v6]:port`, `:port` (every
// address). Validated at parse time so a bad address fails with file:line.

export interface HttpAddress {
  /** '' means every address. */
  readonly host: string;
  readonly port: number;
  /** `host|port`: one listener per key, shared by every block and plugin naming it. */
  readonly key: string;
}

export function parseHttpAddress(text: string): HttpAddress | string {
  const m = /^(?:\[([0-9a-fA-F:.%\w]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (m === null) return `'${text}' is not HOST:PORT`;
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} in '${text}' is out of range`;
  return { host, port, key: `${host}|${port}` };
}

/** A URL host for reaching a listener from this process. */
export function localUrlHost(host: string, port: number): string {
  if (host === '' || host === '0.0.0.0') return `127.0.0.1:${port}`;
  if (host === '::') return `[::1]:${port}`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
