/** A DNS listener as CoreDNS labels it (the `server` label): `dns://169.254.20.10:53`, `dns://[::1]:53`. */
export function serverLabel(host: string, port: number): string {
  return `dns://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
