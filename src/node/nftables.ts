// Native nftables backend for nodes whose kube-proxy runs in nftables mode (kubernetes/dns#682):
// one table of our own, `inet nodelocaldns`, holding IPv4 and IPv6 rules. Every change replaces
// the whole table in one `nft -f -` transaction, so there is never a partial or duplicated set.
// NOTRACK runs at priority raw (-300), before conntrack (-200) and kube-proxy's DNAT (-100), so
// intercepted packets are never tracked or translated. The accept chains mirror node-cache's
// filter rules; an nftables accept is final only within its own base chain.

import { type RuleSyncResult, type RulesBackend, RulesError } from './backend.ts';
import type { CommandRunner } from './exec.ts';
import { canonicalIp, type NodeRule, type RuleChain, type RuleTable, ruleKey } from './rules.ts';
import type { IpFamily } from './types.ts';

export const NFT_TABLE = 'nodelocaldns';

interface ChainSpec {
  readonly name: string;
  readonly table: RuleTable;
  readonly chain: RuleChain;
  readonly type: 'filter' | 'nat';
  readonly hook: 'prerouting' | 'input' | 'output';
  readonly prio: number;
}

const CHAINS: readonly ChainSpec[] = [
  {
    name: 'raw-prerouting',
    table: 'raw',
    chain: 'PREROUTING',
    type: 'filter',
    hook: 'prerouting',
    prio: -300,
  },
  { name: 'raw-output', table: 'raw', chain: 'OUTPUT', type: 'filter', hook: 'output', prio: -300 },
  { name: 'filter-input', table: 'filter', chain: 'INPUT', type: 'filter', hook: 'input', prio: 0 },
  {
    name: 'filter-output',
    table: 'filter',
    chain: 'OUTPUT',
    type: 'filter',
    hook: 'output',
    prio: 0,
  },
  // before kube-proxy's dstnat (-100); only tracked packets (no agent socket) reach it
  {
    name: 'nat-prerouting',
    table: 'nat',
    chain: 'PREROUTING',
    type: 'nat',
    hook: 'prerouting',
    prio: -110,
  },
  { name: 'nat-output', table: 'nat', chain: 'OUTPUT', type: 'nat', hook: 'output', prio: -110 },
];

function chainFor(rule: NodeRule): ChainSpec {
  const spec = CHAINS.find((c) => c.table === rule.table && c.chain === rule.chain);
  if (spec === undefined)
    throw new RulesError('iptables', `no nftables chain for ${rule.table}/${rule.chain}`);
  return spec;
}

export function nftRuleText(rule: NodeRule): string {
  const l3 = rule.family === 6 ? 'ip6' : 'ip';
  const addr = rule.direction === 'dst' ? 'daddr' : 'saddr';
  const port = rule.direction === 'dst' ? 'dport' : 'sport';
  const socket = rule.whileListening ? ' socket wildcard 0' : '';
  const verdict =
    rule.action === 'NOTRACK'
      ? 'notrack'
      : rule.action === 'ACCEPT'
        ? 'accept'
        : `dnat ${l3} to ${rule.family === 6 ? `[${rule.to}]` : rule.to}:${rule.port}`;
  return `${l3} ${addr} ${canonicalIp(rule.ip)} ${rule.proto} ${port} ${rule.port}${socket} ${verdict} comment ${JSON.stringify(rule.comment)}`;
}

/**
 * nftables' `socket wildcard` stops at sockets that are not full sockets, so the ACK that ends a
 * TCP handshake (it finds the request socket) would not match and would go on, tracked, into
 * kube-proxy's DNAT. iptables' `-m socket --nowildcard` accepts those. So each TCP rule of that
 * kind gets a twin for packets other than a bare SYN: any socket found (`socket transparent 0`
 * matches every non-transparent one) means an agent connection is under way.
 */
function handshakeTwin(rule: NodeRule): string | undefined {
  if (!rule.whileListening || rule.proto !== 'tcp') return undefined;
  return nftRuleText({ ...rule, whileListening: false }).replace(
    / tcp (d|s)port (\d+) /,
    ' tcp $1port $2 tcp flags != syn socket transparent 0 ',
  );
}

/** The keys a rule has in the listing: its own and its handshake twin's. */
function nftKeys(rule: NodeRule): string[] {
  const key = ruleKey(rule);
  return handshakeTwin(rule) === undefined ? [key] : [key, `${key}|handshake`];
}

/** The transaction that replaces the table (creating it first makes the delete always valid). */
export function nftReplaceScript(rules: readonly NodeRule[]): string {
  const lines = [`table inet ${NFT_TABLE}`, `delete table inet ${NFT_TABLE}`];
  if (rules.length === 0) return `${lines.join('\n')}\n`;
  lines.push(`table inet ${NFT_TABLE} {`);
  for (const c of CHAINS) {
    lines.push(
      `  chain ${c.name} {`,
      `    type ${c.type} hook ${c.hook} priority ${c.prio}; policy accept;`,
    );
    for (const r of rules) {
      if (chainFor(r) !== c) continue;
      lines.push(`    ${nftRuleText(r)}`);
      const twin = handshakeTwin(r);
      if (twin !== undefined) lines.push(`    ${twin}`);
    }
    lines.push('  }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function obj(v: Json | undefined): { [key: string]: Json } | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
}

/** `v[key]` when v is an object. */
function at(v: Json | undefined, key: string): Json | undefined {
  return obj(v)?.[key];
}

/** Key of one listed rule, or 'foreign' when it is not a rule we would have written. */
function listedRuleKey(spec: ChainSpec, rule: { [key: string]: Json }): string {
  let ip: string | undefined;
  let direction: 'dst' | 'src' | undefined;
  let proto: 'tcp' | 'udp' | undefined;
  let port: number | undefined;
  let action: 'NOTRACK' | 'ACCEPT' | 'DNAT' | undefined;
  let whileListening = false;
  let handshake = false;
  let anySocket = false;
  let to: string | undefined;
  const expr = at(rule, 'expr');
  const exprs = Array.isArray(expr) ? expr : [];
  for (const e of exprs) {
    const o = obj(e);
    if (o === undefined) return 'foreign';
    if ('notrack' in o) action = 'NOTRACK';
    else if ('accept' in o) action = 'ACCEPT';
    else if ('dnat' in o) {
      const addr = at(at(o, 'dnat'), 'addr');
      if (typeof addr !== 'string' || at(at(o, 'dnat'), 'port') !== port) return 'foreign';
      action = 'DNAT';
      to = addr;
    } else if ('match' in o) {
      const left = at(at(o, 'match'), 'left');
      const op = at(at(o, 'match'), 'op');
      if (at(left, 'socket') !== undefined) {
        const socketKey = at(at(left, 'socket'), 'key');
        if (at(at(o, 'match'), 'right') !== 0 || op !== '==') return 'foreign';
        if (socketKey === 'wildcard') whileListening = true;
        else if (socketKey === 'transparent') anySocket = true;
        else return 'foreign';
        continue;
      }
      if (
        at(at(left, 'payload'), 'field') === 'flags' &&
        op === '!=' &&
        at(at(o, 'match'), 'right') === 'syn'
      ) {
        handshake = true;
        continue;
      }
      const payload = at(at(at(o, 'match'), 'left'), 'payload');
      const right = at(at(o, 'match'), 'right');
      const protocol = at(payload, 'protocol');
      const field = at(payload, 'field');
      if (
        (protocol === 'ip' || protocol === 'ip6') &&
        (field === 'saddr' || field === 'daddr') &&
        typeof right === 'string'
      ) {
        ip = right;
        direction = field === 'daddr' ? 'dst' : 'src';
      } else if (
        (protocol === 'tcp' || protocol === 'udp') &&
        (field === 'sport' || field === 'dport') &&
        typeof right === 'number'
      ) {
        proto = protocol;
        port = right;
      } else return 'foreign';
    } else if (!('counter' in o)) return 'foreign';
  }
  if (
    ip === undefined ||
    direction === undefined ||
    proto === undefined ||
    port === undefined ||
    action === undefined
  )
    return 'foreign';
  if (handshake !== anySocket || (handshake && whileListening)) return 'foreign';
  const key = ruleKey({
    table: spec.table,
    chain: spec.chain,
    proto,
    direction,
    ip,
    port,
    whileListening: whileListening || handshake,
    action,
    to,
  });
  return handshake ? `${key}|handshake` : key;
}

/** Keys of the installed rules, or undefined when the table's chains are not exactly ours. */
export function parseNftTable(json: string): string[] | undefined {
  const items = at(JSON.parse(json) as Json, 'nftables');
  if (!Array.isArray(items)) return undefined;
  const keys: string[] = [];
  const chains = new Set<string>();
  for (const item of items) {
    const chain = obj(at(item, 'chain'));
    const rule = obj(at(item, 'rule'));
    if (chain !== undefined) {
      const spec = CHAINS.find((c) => c.name === at(chain, 'name'));
      if (
        spec === undefined ||
        at(chain, 'hook') !== spec.hook ||
        at(chain, 'prio') !== spec.prio ||
        at(chain, 'type') !== spec.type ||
        at(chain, 'policy') !== 'accept'
      )
        return undefined;
      chains.add(spec.name);
    } else if (rule !== undefined) {
      const spec = CHAINS.find((c) => c.name === at(rule, 'chain'));
      if (spec === undefined) return undefined;
      keys.push(listedRuleKey(spec, rule));
    }
  }
  return chains.size === CHAINS.length ? keys : undefined;
}

export class NftablesBackend implements RulesBackend {
  readonly name = 'nftables';
  readonly #runner: CommandRunner;

  constructor(runner: CommandRunner) {
    this.#runner = runner;
  }

  /** nft rules are one inet table for both families, so `families` is not needed here. */
  async sync(rules: readonly NodeRule[], _families: readonly IpFamily[]): Promise<RuleSyncResult> {
    const listed = await this.#runner.run(['nft', '-j', 'list', 'table', 'inet', NFT_TABLE], {
      timeoutMs: 30_000,
    });
    const exists = listed.code === 0;
    if (!exists && !/No such file or directory/.test(listed.stderr)) {
      throw new RulesError(
        'iptables',
        `nft list table inet ${NFT_TABLE}: exit ${listed.code}: ${listed.stderr.trim()}`,
      );
    }
    const have = exists ? parseNftTable(listed.stdout) : [];
    const want = rules.flatMap(nftKeys);
    if (have !== undefined && sameMultiset(have, want)) return { added: 0, removed: 0 };
    const result = await this.#runner.run(['nft', '-f', '-'], {
      input: nftReplaceScript(rules),
      timeoutMs: 30_000,
    });
    if (result.code !== 0)
      throw new RulesError('iptables', `nft -f -: exit ${result.code}: ${result.stderr.trim()}`);
    // counted in rules of the model (a handshake twin is part of its rule)
    const own = (keys: readonly string[]): string[] =>
      keys.filter((k) => !k.endsWith('|handshake'));
    const haveRules = own(have ?? []);
    const haveSet = new Set(haveRules);
    const wantSet = new Set(own(want));
    return {
      added: [...wantSet].filter((k) => !haveSet.has(k)).length,
      removed: haveRules.filter((k) => !wantSet.has(k)).length + (haveRules.length - haveSet.size),
    };
  }
}

function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}
