// iptables backend (legacy or nft wrappers): read the tables with *-save, compute the difference
// to the desired rules, and apply it in one `*-restore -w N --noflush` call per family. Extras and
// duplicates carrying node-cache's comments are deleted, so a flaky check can never pile rules
// up (kubernetes/dns#568).

import {
  classifyRulesFailure,
  type RuleSyncResult,
  type RulesBackend,
  RulesError,
} from './backend.ts';
import type { CommandRunner } from './exec.ts';
import { canonicalIp, type NodeRule, OWN_COMMENTS, type RuleTable, ruleKey } from './rules.ts';
import type { IpFamily } from './types.ts';

export type IptablesVariant = 'iptables' | 'iptables-legacy' | 'iptables-nft';

const TABLES: readonly RuleTable[] = ['raw', 'filter', 'nat'];
const CHAINS: ReadonlySet<string> = new Set(['PREROUTING', 'INPUT', 'OUTPUT']);

export function iptablesBinary(
  variant: IptablesVariant,
  family: IpFamily,
  tool: '' | '-save' | '-restore',
): string {
  const base = family === 6 ? 'ip6tables' : 'iptables';
  const suffix = variant === 'iptables' ? '' : variant.slice('iptables'.length);
  return `${base}${suffix}${tool}`;
}

/** Splits an iptables-save line into words, honouring double quotes and backslash escapes. */
export function splitSaveLine(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i] ?? '';
      inWord = true;
    } else if (c === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (!quoted && (c === ' ' || c === '\t')) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

export interface SavedRule {
  readonly chain: string;
  /** The words after `-A CHAIN`, re-quoted for a restore `-D` line. */
  readonly spec: string;
  /** ruleKey() when the rule has our shape, else undefined (still ours if the comment is). */
  readonly key: string | undefined;
}

/** The rules in one table of *-save output that carry node-cache's comments. */
export function parseOwnedRules(saveOutput: string, table: RuleTable): SavedRule[] {
  const owned: SavedRule[] = [];
  for (const line of saveOutput.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    const words = splitSaveLine(line);
    const chain = words[1] ?? '';
    const opt = (name: string): string | undefined => {
      const at = words.indexOf(name);
      return at < 0 ? undefined : words[at + 1];
    };
    const comment = opt('--comment');
    if (comment === undefined || !OWN_COMMENTS.has(comment)) continue;
    const src = opt('-s');
    const dst = opt('-d');
    const proto = opt('-p');
    const port = opt(src !== undefined ? '--sport' : '--dport');
    const target = opt('-j');
    const to = target === 'DNAT' ? dnatAddress(opt('--to-destination')) : undefined;
    let key: string | undefined;
    const addr = (src ?? dst ?? '').replace(/\/(32|128)$/, '');
    if (
      CHAINS.has(chain) &&
      (proto === 'tcp' || proto === 'udp') &&
      (src === undefined) !== (dst === undefined) &&
      port !== undefined &&
      (target === 'NOTRACK' || target === 'ACCEPT' || (target === 'DNAT' && to !== undefined)) &&
      addr !== ''
    ) {
      key = ruleKey({
        table,
        chain: chain as NodeRule['chain'],
        proto,
        direction: src !== undefined ? 'src' : 'dst',
        ip: addr,
        port: Number(port),
        whileListening: hasSocketMatch(words),
        action: target,
        to,
      });
    }
    owned.push({ chain, spec: words.slice(2).map(quoteWord).join(' '), key });
  }
  return owned;
}

/** `-m socket --nowildcard` (a plain `-m socket` also matches wildcard listeners: not ours). */
function hasSocketMatch(words: readonly string[]): boolean {
  return (
    words.some((w, i) => w === '-m' && words[i + 1] === 'socket') && words.includes('--nowildcard')
  );
}

/** The address of `--to-destination 1.2.3.4:53` or `[fd00::20]:53`; undefined for other forms. */
function dnatAddress(value: string | undefined): string | undefined {
  const m = /^\[([0-9a-fA-F:.]+)\](?::\d+)?$|^([0-9.]+)(?::\d+)?$/.exec(value ?? '');
  return m === null ? undefined : (m[1] ?? m[2]);
}

function quoteWord(w: string): string {
  return /^[A-Za-z0-9_.:/,!=+-]+$/.test(w) ? w : `"${w.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function ruleSpec(rule: NodeRule): string {
  const prefix = rule.family === 6 ? 128 : 32;
  const [addrFlag, portFlag] = rule.direction === 'dst' ? ['-d', '--dport'] : ['-s', '--sport'];
  const socket = rule.whileListening ? ' -m socket --nowildcard' : '';
  const to =
    rule.action !== 'DNAT' || rule.to === undefined
      ? ''
      : ` --to-destination ${rule.family === 6 ? `[${rule.to}]` : rule.to}:${rule.port}`;
  return `${addrFlag} ${canonicalIp(rule.ip)}/${prefix} -p ${rule.proto} -m ${rule.proto} ${portFlag} ${rule.port}${socket} -m comment --comment ${quoteWord(rule.comment)} -j ${rule.action}${to}`;
}

/** The restore input that turns `saved` into `desired` for one table, or '' when nothing differs. */
export function planTable(
  table: RuleTable,
  desired: readonly NodeRule[],
  saved: readonly SavedRule[],
): { input: string; added: number; removed: number } {
  const want = new Map<string, NodeRule>();
  for (const r of desired) if (r.table === table) want.set(ruleKey(r), r);
  const seen = new Set<string>();
  const lines: string[] = [];
  let removed = 0;
  for (const s of saved) {
    if (s.key !== undefined && want.has(s.key) && !seen.has(s.key)) {
      seen.add(s.key);
      continue;
    }
    lines.push(`-D ${s.chain} ${s.spec}`); // an extra, a duplicate or a stale IP
    removed += 1;
  }
  // Inserting each missing rule at the top, last first, keeps them in list order.
  const missing = [...want].filter(([k]) => !seen.has(k)).map(([, r]) => r);
  for (const r of missing.reverse()) lines.push(`-I ${r.chain} 1 ${ruleSpec(r)}`);
  if (lines.length === 0) return { input: '', added: 0, removed: 0 };
  return { input: `*${table}\n${lines.join('\n')}\nCOMMIT\n`, added: missing.length, removed };
}

export class IptablesBackend implements RulesBackend {
  readonly name: IptablesVariant;
  readonly #runner: CommandRunner;
  readonly #waitSeconds: number;

  constructor(runner: CommandRunner, variant: IptablesVariant, waitSeconds: number) {
    this.#runner = runner;
    this.name = variant;
    this.#waitSeconds = waitSeconds;
  }

  /**
   * Removes every rule with node-cache's comments, for leftovers of another backend or of
   * node-cache itself. Reads all tables first (plain *-save loads no modules) and only touches
   * a family that has some.
   */
  async purge(families: readonly IpFamily[]): Promise<number> {
    let removed = 0;
    for (const family of families) {
      const all = await this.#run([iptablesBinary(this.name, family, '-save')]);
      if (!all.includes('NodeLocal DNS Cache')) continue;
      removed += (await this.sync([], [family])).removed;
    }
    return removed;
  }

  async sync(rules: readonly NodeRule[], families: readonly IpFamily[]): Promise<RuleSyncResult> {
    let added = 0;
    let removed = 0;
    for (const family of families) {
      const desired = rules.filter((r) => r.family === family);
      let input = '';
      for (const table of TABLES) {
        const save = await this.#run([iptablesBinary(this.name, family, '-save'), '-t', table]);
        const plan = planTable(table, desired, parseOwnedRules(save, table));
        input += plan.input;
        added += plan.added;
        removed += plan.removed;
      }
      if (input !== '') {
        await this.#run(
          [
            iptablesBinary(this.name, family, '-restore'),
            '-w',
            String(this.#waitSeconds),
            '--noflush',
          ],
          input,
        );
      }
    }
    return { added, removed };
  }

  async #run(argv: readonly string[], input?: string): Promise<string> {
    // The lock wait bounds the restore; the timeout only catches a hung tool.
    const result = await this.#runner.run(
      argv,
      input === undefined
        ? { timeoutMs: 30_000 }
        : { input, timeoutMs: (this.#waitSeconds + 30) * 1000 },
    );
    if (result.code !== 0) {
      const text = `${argv.join(' ')}: exit ${result.code}: ${result.stderr.trim()}`;
      throw new RulesError(classifyRulesFailure(result.stderr), text);
    }
    return result.stdout;
  }
}
