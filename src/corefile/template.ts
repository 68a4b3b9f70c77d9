// node-cache's Corefile templating (configmap.go updateCorefile) done on the parsed model: each
// placeholder is a token (or part of one) and is replaced by tokens, so indentation, comments
// and line layout of the template never matter (style.md B10). printCorefile renders it back.

import type { Corefile, Directive, ServerBlock, Token } from './model.ts';

export const PLACEHOLDER = {
  localDns: '__PILLAR__LOCAL__DNS__',
  dnsServer: '__PILLAR__DNS__SERVER__',
  clusterDns: '__PILLAR__CLUSTER__DNS__',
  upstreamServers: '__PILLAR__UPSTREAM__SERVERS__',
  prometheus: '__PROMETHEUS__ENDPOINT__',
} as const;

/** node-cache's fixed TTL for generated stub-domain blocks. */
export const STUB_DOMAIN_CACHE_TTL = 30;

export interface TemplateParams {
  readonly localIps: readonly string[];
  /** From <UPSTREAMSVC>_SERVICE_HOST; undefined when missing. */
  readonly clusterDns: string | undefined;
  /** kube-dns ConfigMap upstreamNameservers; empty → `resolvConf`. */
  readonly upstreamNameservers: readonly string[];
  readonly resolvConf: string;
  readonly prometheusEndpoint: string;
  readonly dnsPort: number;
  readonly stubDomains: ReadonlyMap<string, readonly string[]>;
}

export class TemplateError extends Error {
  readonly code = 'ERR_COREFILE_TEMPLATE';
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

function tok(text: string, at: { file: string; line: number }): Token {
  return { text, file: at.file, line: at.line };
}

/** The local IP for a placeholder embedded in a longer word: IPv6 inside `[...]`, else IPv4 first. */
function embeddedLocalIp(word: string, ips: readonly string[]): string {
  const bracketed = word.includes(`[${PLACEHOLDER.localDns}]`);
  return ips.find((ip) => ip.includes(':') === bracketed) ?? ips[0] ?? '';
}

/**
 * The placeholder inside a longer word. An IPv6 address before `:port` gets the brackets an
 * IPv4-shaped template lacks (`health __PILLAR__LOCAL__DNS__:8080` on an IPv6-only node).
 */
function substituteLocalIp(word: string, ips: readonly string[]): string {
  const ip = embeddedLocalIp(word, ips);
  const unbracketedPort = new RegExp(`(^|[^[])${PLACEHOLDER.localDns}:`, 'g');
  const fixed = ip.includes(':')
    ? word.replace(unbracketedPort, `$1[${PLACEHOLDER.localDns}]:`)
    : word;
  return fixed.split(PLACEHOLDER.localDns).join(ip);
}

function clusterDns(p: TemplateParams): string {
  if (p.clusterDns === undefined)
    throw new TemplateError(
      `${PLACEHOLDER.clusterDns} is used but the upstream Service IP is unknown (no <UPSTREAMSVC>_SERVICE_HOST env var)`,
    );
  return p.clusterDns;
}

/** One token → zero or more tokens. */
function substituteToken(t: Token, p: TemplateParams): Token[] {
  const upstream = p.upstreamNameservers.length > 0 ? p.upstreamNameservers : [p.resolvConf];
  switch (t.text) {
    case PLACEHOLDER.localDns:
      return p.localIps.map((ip) => tok(ip, t));
    case PLACEHOLDER.dnsServer:
      return [];
    case PLACEHOLDER.upstreamServers:
      return upstream.map((s) => tok(s, t));
    case PLACEHOLDER.clusterDns:
      return [tok(clusterDns(p), t)];
  }
  if (!t.text.includes('__')) return [t];
  let text = t.text;
  if (text.includes(PLACEHOLDER.localDns)) text = substituteLocalIp(text, p.localIps);
  text = text.split(PLACEHOLDER.dnsServer).join('');
  if (text.includes(PLACEHOLDER.clusterDns))
    text = text.split(PLACEHOLDER.clusterDns).join(clusterDns(p));
  text = text.split(PLACEHOLDER.upstreamServers).join(upstream[0] ?? '');
  text = text.split(PLACEHOLDER.prometheus).join(p.prometheusEndpoint);
  return text === '' ? [] : [tok(text, t)];
}

function substituteDirective(d: Directive, p: TemplateParams): Directive {
  const usesUpstream = d.args.some((a) => a.text.includes(PLACEHOLDER.upstreamServers));
  const args = d.args.flatMap((a) => substituteToken(a, p));
  let block = d.block?.map((sub) => substituteDirective(sub, p));
  // node-cache replaces `forward . UPSTREAM { force_tcp }` with a one-line UDP forward when the
  // ConfigMap names custom upstreams; on the model, that is dropping force_tcp from the block.
  if (
    d.name === 'forward' &&
    usesUpstream &&
    p.upstreamNameservers.length > 0 &&
    block !== undefined
  ) {
    block = block.filter((o) => o.name !== 'force_tcp');
    if (block.length === 0) block = undefined;
  }
  return { name: d.name, args, block, file: d.file, line: d.line };
}

/** Server blocks for the ConfigMap's stub domains, node-cache's shape, sorted by domain. */
export function stubDomainBlocks(p: TemplateParams): ServerBlock[] {
  const at = { file: 'kube-dns ConfigMap stubDomains', line: 1 };
  const directive = (name: string, args: string[]): Directive => ({
    name,
    args: args.map((a) => tok(a, at)),
    block: undefined,
    ...at,
  });
  const sorted = [...p.stubDomains].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.map(([domain, servers]) => ({
    keys: [tok(`${domain}:${p.dnsPort}`, at)],
    directives: [
      directive('errors', []),
      directive('cache', [String(STUB_DOMAIN_CACHE_TTL)]),
      directive('bind', [...p.localIps]),
      directive('forward', ['.', ...servers]),
    ],
    ...at,
  }));
}

export function applyTemplate(model: Corefile, p: TemplateParams): Corefile {
  const blocks = model.blocks
    .map((b) => ({
      keys: b.keys.flatMap((k) => substituteToken(k, p)),
      directives: b.directives.map((d) => substituteDirective(d, p)),
      file: b.file,
      line: b.line,
    }))
    .filter((b) => b.keys.length > 0);
  return { blocks: [...blocks, ...stubDomainBlocks(p)] };
}

/** Quotes a word the lexer would otherwise split, treat as a brace or comment, or expand. */
export function quoteWord(text: string): string {
  if (text !== '' && !/[\s"\\]|^[#{}]|^\{|\{[$%]/.test(text)) return text;
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function printDirectives(directives: readonly Directive[], depth: number, out: string[]): void {
  const indent = '    '.repeat(depth);
  for (const d of directives) {
    const head = [d.name, ...d.args.map((a) => a.text)].map(quoteWord).join(' ');
    if (d.block === undefined) {
      out.push(`${indent}${head}`);
    } else {
      out.push(`${indent}${head} {`);
      printDirectives(d.block, depth + 1, out);
      out.push(`${indent}}`);
    }
  }
}

/** Corefile text for the model; parsing it again gives the same model (modulo file:line). */
export function printCorefile(model: Corefile): string {
  const out: string[] = [];
  for (const b of model.blocks) {
    if (out.length > 0) out.push('');
    out.push(`${b.keys.map((k) => quoteWord(k.text)).join(' ')} {`);
    printDirectives(b.directives, 1, out);
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}
