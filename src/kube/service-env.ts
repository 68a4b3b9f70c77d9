// The cluster-zone upstream: the Service's ClusterIP from the service-link env var the kubelet
// injects (`kube-dns-upstream` → KUBE_DNS_UPSTREAM_SERVICE_HOST), as node-cache's toSvcEnv does.

import { isIP } from 'node:net';

export function serviceHostEnvName(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_SERVICE_HOST`;
}

/** The Service IP, or undefined when the variable is missing or not an IP. */
export function lookupServiceHost(
  service: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const value = env[serviceHostEnvName(service)]?.trim();
  return value !== undefined && isIP(value) !== 0 ? value : undefined;
}
