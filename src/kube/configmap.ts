// The kube-dns ConfigMap as mounted files (kubernetes/dns pkg/dns/config): `stubDomains` (JSON
// object domain → servers) and `upstreamNameservers` (JSON array, at most 3). Servers must be
// IP[:port] (IPv6 bracketed with a port): an FQDN here used to crash-loop node-cache
// (kubernetes/dns#539). Any invalid key rejects the whole update, as in kube-dns.

import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface KubeDnsConfig {
  /** Domain (lowercase, no trailing dot) → servers, sorted by domain. */
  readonly stubDomains: ReadonlyMap<string, readonly string[]>;
  readonly upstreamNameservers: readonly string[];
}

export const EMPTY_KUBE_DNS_CONFIG: KubeDnsConfig = {
  stubDomains: new Map(),
  upstreamNameservers: [],
};
export const MAX_UPSTREAM_NAMESERVERS = 3;

export class ConfigMapError extends Error {
  readonly code = 'ERR_KUBE_CONFIGMAP';
  readonly key: string;
  constructor(key: string, message: string) {
    super(`kube-dns ConfigMap ${key}: ${message}`);
    this.name = 'ConfigMapError';
    this.key = key;
  }
}

/** IP, IP:port, [IPv6]:port or a bare IPv6 address, port 1-65535. */
export function isNameserver(text: string): boolean {
  if (isIP(text) !== 0) return true;
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]]+):(\d+)$/.exec(text);
  if (m === null) return false;
  const port = Number(m[2]);
  const host = m[1] ?? '';
  return port >= 1 && port <= 65535 && (text.startsWith('[') ? isIP(host) === 6 : isIP(host) === 4);
}

/** DNS-1123 subdomain, as kube-dns validates stub domain names. */
export function isDns1123Subdomain(text: string): boolean {
  return (
    text.length <= 253 &&
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(text)
  );
}

function parseJson(key: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigMapError(key, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function serverList(key: string, value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string'))
    throw new ConfigMapError(key, 'want a JSON array of strings');
  for (const s of value)
    if (!isNameserver(s))
      throw new ConfigMapError(key, `invalid nameserver "${s}": want IP or IP:port`);
  return value;
}

/** Validates the ConfigMap's files (name → text); unknown keys are ignored. */
export function parseKubeDnsConfig(files: ReadonlyMap<string, string>): KubeDnsConfig {
  const stubDomains = new Map<string, string[]>();
  const stubText = files.get('stubDomains');
  if (stubText !== undefined && stubText.trim() !== '') {
    const parsed = parseJson('stubDomains', stubText);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new ConfigMapError('stubDomains', 'want a JSON object of domain → [servers]');
    for (const [domain, servers] of Object.entries(parsed)) {
      if (!isDns1123Subdomain(domain))
        throw new ConfigMapError(
          'stubDomains',
          `invalid domain "${domain}": not a DNS-1123 subdomain`,
        );
      const list = serverList(`stubDomains[${domain}]`, servers);
      if (list.length === 0)
        throw new ConfigMapError('stubDomains', `domain "${domain}" has no nameservers`);
      stubDomains.set(domain, list);
    }
  }
  let upstreamNameservers: string[] = [];
  const upText = files.get('upstreamNameservers');
  if (upText !== undefined && upText.trim() !== '') {
    upstreamNameservers = serverList(
      'upstreamNameservers',
      parseJson('upstreamNameservers', upText),
    );
    if (upstreamNameservers.length > MAX_UPSTREAM_NAMESERVERS)
      throw new ConfigMapError(
        'upstreamNameservers',
        `at most ${MAX_UPSTREAM_NAMESERVERS} servers, got ${upstreamNameservers.length}`,
      );
  }
  const federations = files.get('federations');
  if (federations !== undefined && federations.trim() !== '') parseJson('federations', federations); // validated only, unused
  const sorted = new Map([...stubDomains].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { stubDomains: sorted, upstreamNameservers };
}

export interface ConfigDirSnapshot {
  readonly files: ReadonlyMap<string, string>;
  /** SHA-256 over names and contents; changes whenever any file does. */
  readonly version: string;
}

/**
 * Top-level, non-dot regular files (symlinks followed, as ConfigMap volumes use `..data` links).
 * A missing directory reads as empty.
 */
export async function readConfigDir(dir: string): Promise<ConfigDirSnapshot> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => !n.startsWith('.')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') names = [];
    else throw e;
  }
  const files = new Map<string, string>();
  const hash = createHash('sha256');
  for (const name of names) {
    const path = join(dir, name);
    if (!(await stat(path)).isFile()) continue;
    const text = await readFile(path, 'utf8');
    files.set(name, text);
    hash.update(`${name}\0${text.length}\0${text}`);
  }
  return { files, version: hash.digest('hex') };
}
